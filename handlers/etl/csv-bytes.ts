// The few bytes a CSV's structure is made of, shared by the header reader and the boundary finder.
// Both work on raw bytes, never on decoded text: a range of an S3 object may start or end inside a
// multi-byte UTF-8 character, while these ASCII bytes never occur inside one (UTF-8 continuation and
// lead bytes are all >= 0x80), so matching them byte by byte is exact.
import { InvalidInput } from '../lib/errors';

export const QUOTE = 0x22; // "
export const LF = 0x0a; // \n
export const CR = 0x0d; // \r

/** The UTF-8 byte order mark some tools (Excel among them) write at the start of a CSV file. */
export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Reads bytes `start..endInclusive` of the file, e.g. `(s, e) => getRange(key, s, e)` from handlers/lib/s3. */
export type ReadRange = (start: number, endInclusive: number) => Promise<Buffer>;

/** Length of the byte order mark at the start of `bytes` (the file's first bytes): 3 or 0. */
export function bomLength(bytes: Uint8Array): number {
  return bytes.length >= UTF8_BOM.length && UTF8_BOM.every((b, i) => bytes[i] === b) ? UTF8_BOM.length : 0;
}

/** `readRange`, refusing a short answer: the object is shorter than the size it was planned with. */
export async function readExactly(readRange: ReadRange, start: number, endInclusive: number): Promise<Buffer> {
  const bytes = await readRange(start, endInclusive);
  const expected = endInclusive - start + 1;
  if (bytes.length !== expected) {
    throw new InvalidInput(`Read ${bytes.length} bytes at ${start}-${endInclusive} where ${expected} were expected: the file is shorter than planned`);
  }
  return bytes;
}
