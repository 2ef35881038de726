// Where the Parquet reader gets its bytes: an S3 object read with range GETs, or a local file. The reader
// asks for the footer and then for one row group's column chunks, never for the whole object.
import { stat } from 'node:fs/promises';
import { readFileRange } from '../lib/file-range';
import { InputNotFound, InvalidInput } from '../lib/errors';
import { getRange, head, type BucketOption } from '../lib/s3';

/**
 * A Parquet file as ranged reads: hyparquet's AsyncBuffer (`byteLength`, `slice(start, endExclusive)`)
 * plus the key that error messages name.
 */
export interface ParquetSource {
  /** The S3 key (or path) that errors name so a person can find the file. */
  readonly key: string;
  readonly byteLength: number;
  slice(start: number, end: number): Promise<ArrayBuffer>;
}

/** Reads bytes `start..endInclusive`, e.g. `(s, e) => getRange(key, s, e)` from handlers/lib/s3. */
export type ReadBytes = (start: number, endInclusive: number) => Promise<Uint8Array>;

/** A source over any ranged reader; a short read (the object shrank since its size was taken) is InvalidInput. */
export function rangeParquetSource(key: string, byteLength: number, read: ReadBytes): ParquetSource {
  return {
    key,
    byteLength,
    async slice(start, end) {
      if (end <= start) return new ArrayBuffer(0);
      const bytes = await read(start, end - 1);
      if (bytes.byteLength !== end - start) {
        throw new InvalidInput(
          `${key} changed while being read: asked for bytes ${start}-${end - 1} of ${byteLength}, got ${bytes.byteLength} bytes`,
          { key },
        );
      }
      // hyparquet wants an ArrayBuffer of exactly the slice; a Buffer is often a view into a larger pool.
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** The S3 object as a source (one HEAD for its size); InputNotFound when it does not exist. */
export async function openS3ParquetSource(key: string, opts?: BucketOption): Promise<ParquetSource> {
  const info = await head(key, opts);
  if (!info) throw new InputNotFound(`Object not found: ${key}`, { key });
  return rangeParquetSource(key, info.size, (start, endInclusive) => getRange(key, start, endInclusive, opts));
}

/** A local file as a source (tests, and files a handler downloaded to /tmp). */
export async function openFileParquetSource(path: string, key: string = path): Promise<ParquetSource> {
  const { size } = await stat(path);
  return rangeParquetSource(key, size, (start, endInclusive) => readFileRange(path, start, endInclusive));
}
