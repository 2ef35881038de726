// Reading a request body under a size limit: a declared Content-Length over the limit is refused before
// a byte is read, and a chunked body is cut off as soon as it passes the limit, so an oversized request
// never sits whole in memory.
import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(
    readonly limitBytes: number,
    /** The declared length, or how much had arrived when the limit was passed (`atLeast`). */
    readonly bytes: number,
    readonly atLeast = false,
  ) {
    super(`request body of ${atLeast ? 'at least ' : ''}${bytes} bytes is over the limit of ${limitBytes} bytes`);
  }
}

export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    // Not read: drain it, so the connection can carry the error response.
    req.resume();
    return Promise.reject(new BodyTooLargeError(limitBytes, declared));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLargeError(limitBytes, size, true));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
