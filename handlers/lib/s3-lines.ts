// Objects of newline-delimited text (NDJSON, CSV), read and written as streams: for work files and
// outputs too large to hold (sorted runs of aggregate groups, aggregates.csv, rejects), where
// getJson/putJson would need them whole in memory.
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { getStream, putStream, type BucketOption, type PutOptions } from './s3';
import { asTransient } from './transient';

/** Bytes gathered before a write: one write per line would cost more than the lines. */
const WRITE_CHUNK = 64 * 1024;

/** The object's lines, streamed (a final empty line is not yielded); a dropped connection mid-body is a TransientError. */
export async function* getLines(key: string, opts?: BucketOption): AsyncGenerator<string> {
  const body = await getStream(key, opts);
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } catch (err) {
    throw asTransient(err, `GetObject ${key} (reading lines)`);
  } finally {
    lines.close();
    body.destroy();
  }
}

/** An upload fed line by line (for a writer with more than one output); nothing is visible under the key before `end`. */
export interface LineUpload {
  /** Resolves once the line is buffered, waiting while the upload is behind. */
  write(line: string): Promise<void>;
  /** Completes the upload; returns the line count. */
  end(): Promise<number>;
  /** Abandons the upload (a multipart upload is aborted): no object, partial or whole. */
  abort(err: unknown): Promise<void>;
}

export function openLineUpload(key: string, opts?: PutOptions): LineUpload {
  const body = new PassThrough();
  const upload = putStream(key, body, opts);
  // Only a failure: the upload cannot complete before the body ends, and a writer waiting for 'drain'
  // must hear of an upload that failed meanwhile.
  const uploadFailed = upload.then(
    () => new Promise<never>(() => {}),
    (err: unknown) => Promise.reject(err),
  );
  uploadFailed.catch(() => {});
  let count = 0;
  let chunk = '';
  const flush = async () => {
    if (chunk.length === 0) return;
    const text = chunk;
    chunk = '';
    if (!body.write(text)) await Promise.race([once(body, 'drain'), uploadFailed]);
  };
  return {
    async write(line) {
      chunk += `${line}\n`;
      count += 1;
      if (chunk.length >= WRITE_CHUNK) await flush();
    },
    async end() {
      await flush();
      body.end();
      await upload;
      return count;
    },
    async abort(err) {
      // Destroying the body makes the upload abort its multipart upload: no partial object.
      body.destroy(err instanceof Error ? err : new Error(String(err)));
      await upload.catch(() => {});
    },
  };
}

/**
 * Uploads `lines`, each followed by "\n", as they come (multipart above 5 MiB). Nothing is visible under
 * `key` unless every line was written: a failure of the source aborts the upload. Returns the line count.
 */
export async function putLines(key: string, lines: AsyncIterable<string> | Iterable<string>, opts?: PutOptions): Promise<number> {
  const out = openLineUpload(key, opts);
  try {
    for await (const line of lines) await out.write(line);
  } catch (err) {
    await out.abort(err);
    throw err;
  }
  return out.end();
}
