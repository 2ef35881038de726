// Lets ffmpeg and ffprobe read S3 objects in place, with HTTP range requests, instead of downloading them
// to /tmp first: a loopback HTTP server that answers each ranged GET with ranged GetObjects made by the
// handler's own S3 client. Not a presigned URL, because then ffmpeg would talk to S3 behind the client's
// back: its bytes and requests would be missing from the task's metrics (S3BytesRead, `longhaul cost`),
// the local IAM check would not see them, and the URL, with the role's session token in it, would be
// quoted in ffmpeg's error messages, which reach the logs and the job's error record.
//
// Reads go out in windows that start small and double while a reader goes on sequentially (a probe that
// jumps to an index, or a seek to one audio segment, reads little; a full pass reads 8 MiB at a time, the
// next window fetched while the current one is sent); recent windows are kept, so a second pass over a
// header costs no second GET.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputNotFound, JobMismatch } from './errors';
import { getRange, head } from './s3';

/** An object to serve; `size` and `etag` when known (they are HEADed otherwise), pinning reads to that version. */
export interface RelayedObject {
  key: string;
  size?: number;
  etag?: string;
}

export interface RelayOptions {
  /** Awaited before each window is sent: lets a writer that cannot keep up hold the reader back. */
  beforeWindow?: () => Promise<void>;
}

export interface ObjectRelay {
  /** The http:// URL at which ffmpeg reads `key` (one of the objects the relay was opened with). */
  url(key: string): string;
  /** Replaces every relay URL in `text` (ffmpeg's error messages) with its S3 key. */
  redact(text: string): string;
}

export const FIRST_WINDOW_BYTES = 64 * 1024;
export const MAX_WINDOW_BYTES = 8 * 1024 * 1024;
/** Windows kept per object, most recently used first. */
const CACHE_BYTES = 32 * 1024 * 1024;

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` against an object of `size` bytes; undefined when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'whole' | undefined {
  if (!header) return 'whole';
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'whole';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return undefined;
  return { start, end };
}

interface Window {
  start: number;
  length: number;
  /** In flight or arrived: a reader asking for bytes already on their way waits for them rather than asking S3 again. */
  bytes: Promise<Buffer>;
}

/** One object's reads: windows fetched with ranged GETs, pinned to one ETag, the recent ones kept. */
class ObjectReader {
  private cache: Window[] = [];
  private cached = 0;

  constructor(
    readonly key: string,
    readonly size: number,
    private readonly etag: string | undefined,
  ) {}

  /** Bytes from `start`, at most `maxLength` of them (fewer when a kept window ends sooner). */
  async read(start: number, maxLength: number): Promise<Buffer> {
    const hit = this.cache.find((w) => w.start <= start && start < w.start + w.length);
    if (hit) {
      this.cache = [hit, ...this.cache.filter((w) => w !== hit)];
      const from = start - hit.start;
      return (await hit.bytes).subarray(from, Math.min(hit.length, from + maxLength));
    }
    const end = Math.min(this.size - 1, start + maxLength - 1);
    const window: Window = { start, length: end - start + 1, bytes: this.fetch(start, end) };
    this.keep(window);
    window.bytes.catch(() => this.forget(window));
    return window.bytes;
  }

  private async fetch(start: number, end: number): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await getRange(this.key, start, end, { ifMatch: this.etag });
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || (err as { name?: string }).name === 'PreconditionFailed') {
        throw new JobMismatch(`${this.key} changed while the job was reading it (it was ETag ${this.etag})`, { key: this.key }, { cause: err });
      }
      throw err;
    }
    if (bytes.length !== end - start + 1) {
      throw new InputNotFound(`${this.key} returned ${bytes.length} bytes for ${start}-${end}: the object is shorter than its ${this.size} bytes`, { key: this.key });
    }
    return bytes;
  }

  /** Resolves once no GET of this reader is still on its way (a prefetch outliving its reader). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.cache.map((w) => w.bytes));
  }

  private keep(w: Window): void {
    this.cache.unshift(w);
    this.cached += w.length;
    while (this.cached > CACHE_BYTES && this.cache.length > 1) this.cached -= this.cache.pop()!.length;
  }

  private forget(w: Window): void {
    if (!this.cache.includes(w)) return;
    this.cache = this.cache.filter((x) => x !== w);
    this.cached -= w.length;
  }
}

/** Resolves when `res` can take more data, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Serves `objects` at loopback URLs while `work` runs, then closes. If a read failed while ffmpeg was still
 * waiting for it (ffmpeg only sees a dropped connection, and may even exit 0 with what it had), that
 * failure is thrown, whatever `work` did: S3's own error (InputNotFound, TransientError...) says what happened.
 */
export async function withRelayedObjects<T>(objects: readonly RelayedObject[], work: (relay: ObjectRelay) => Promise<T>, options: RelayOptions = {}): Promise<T> {
  const readers = new Map<number, Promise<ObjectReader>>();
  let failure: { error: unknown } | undefined;

  const readerFor = (index: number): Promise<ObjectReader> => {
    let reader = readers.get(index);
    if (!reader) {
      const o = objects[index]!;
      reader = (async () => {
        if (o.size !== undefined) return new ObjectReader(o.key, o.size, o.etag);
        const info = await head(o.key);
        if (!info) throw new InputNotFound(`Object not found: ${o.key}`, { key: o.key });
        return new ObjectReader(o.key, info.size, o.etag ?? info.etag);
      })();
      readers.set(index, reader);
    }
    return reader;
  };

  // The latest request for each object: ffmpeg reads one range of an input at a time, and a seek opens the
  // next request before it drops the previous one, which by then would have fetched windows no one reads.
  const latest = new Map<number, number>();
  let requests = 0;

  /** `gone`: the reader hung up or moved on; `hungUp`: it closed the connection. */
  const serve = async (req: IncomingMessage, res: ServerResponse, index: number, gone: () => boolean, hungUp: () => boolean): Promise<void> => {
    if (!objects[index] || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    const reader = await readerFor(index);
    const range = parseRange(req.headers.range, reader.size);
    if (range === undefined) {
      res.writeHead(416, { 'Content-Range': `bytes */${reader.size}` }).end();
      return;
    }
    const { start, end } = range === 'whole' ? { start: 0, end: reader.size - 1 } : range;
    const length = Math.max(0, end - start + 1);
    res.writeHead(range === 'whole' ? 200 : 206, {
      'Accept-Ranges': 'bytes',
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(length),
      ...(range === 'whole' ? {} : { 'Content-Range': `bytes ${start}-${end}/${reader.size}` }),
    });
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    let position = start;
    let windowBytes = FIRST_WINDOW_BYTES;
    const fetchAt = (at: number): Promise<Buffer> => {
      const p = reader.read(at, Math.min(windowBytes, end - at + 1));
      p.catch(() => {}); // awaited below, unless the reader has gone by then
      return p;
    };
    let next: Promise<Buffer> | undefined;
    while (position <= end && !gone()) {
      const bytes: Buffer = await (next ?? fetchAt(position));
      const after: number = position + bytes.length;
      windowBytes = Math.min(MAX_WINDOW_BYTES, windowBytes * 2);
      // From the second window on, the next one is on its way while this one is sent: a reader that took
      // a whole window is reading on; one that only looked at a header has hung up by then.
      next = after <= end && position > start ? fetchAt(after) : undefined;
      if (options.beforeWindow) await options.beforeWindow();
      if (!res.write(bytes)) await drained(res);
      position = after;
    }
    // Superseded by a later request: this reader has moved on, and its connection is dropped.
    if (position <= end && !hungUp()) res.destroy();
    else res.end();
  };

  const server: Server = createServer((req, res) => {
    // Closed before the response ended: ffmpeg hung up (it seeks by opening another request).
    let hungUp = false;
    res.on('close', () => (hungUp = !res.writableEnded));
    const index = Number(/^\/(\d+)\//.exec(req.url ?? '')?.[1]);
    const id = ++requests;
    latest.set(index, id);
    const gone = () => hungUp || latest.get(index) !== id;
    serve(req, res, index, gone, () => hungUp).catch((error: unknown) => {
      // A reader that hung up or moved on no longer needs the bytes; one still waiting would be left with a short read.
      if (!gone()) failure ??= { error };
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  // No file name in the URL: ffmpeg then tells the format by the bytes alone, as it does for a file with no extension.
  const urls = objects.map((_o, i) => `http://127.0.0.1:${port}/${i}/source`);
  const relay: ObjectRelay = {
    url(key) {
      const i = objects.findIndex((o) => o.key === key);
      if (i < 0) throw new Error(`${key} is not served by this relay`);
      return urls[i]!;
    },
    redact(text) {
      return urls.reduce((t, url, i) => t.split(url).join(objects[i]!.key), text);
    },
  };
  try {
    const result = await work(relay);
    if (failure) throw failure.error;
    return result;
  } catch (err) {
    throw failure ? failure.error : err;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Nothing may still be reading when the handler returns: it would be billed to the next invocation.
    await Promise.allSettled([...readers.values()].map((r) => r.then((reader) => reader.settled())));
  }
}
