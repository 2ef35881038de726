// The bytes of one dataset shard (dataset-layout.ts `Shard`): a fixed header, then the arrays as they
// sit in memory, so a train task turns an S3 object into Float32Arrays with one copy and no parsing.
//
//   offset  size  little-endian
//   0       4     magic "LHSH"
//   4       4     u32 format version (1)
//   8       4     u32 rows
//   12      4     u32 width (model inputs per row)
//   16      4     u32 flags: bit 0 = row numbers follow the labels; other bits must be 0
//   20      4     u32 CRC-32 (zlib's) of every byte after the header
//   24      8     reserved, 0
//   32            features: rows × width f32, row-major
//                 labels:   rows f32
//                 [row numbers: rows u32, each row's 1-based number in the source file]
//
// The header's sizes fix the object's exact length, so a truncated or padded object is refused before
// its data is looked at, and the CRC refuses one damaged in between. The 32-byte header keeps every
// array 4-byte aligned. Row numbers tie a shard's rows to the source file (Evaluate, predict checks);
// they cost 4 bytes a row, after the labels, so a reader that wants only features and labels can stop.
import { crc32 } from 'node:zlib';
import { endianness } from 'node:os';
import { InternalError, InvalidInput } from '../lib/errors';
import type { Shard } from './dataset-layout';

export const SHARD_MAGIC = 'LHSH';
export const SHARD_VERSION = 1;
export const SHARD_HEADER_BYTES = 32;
const FLAG_ROW_NUMBERS = 1;

/** A shard and, when it was written with them, its rows' numbers in the source file. */
export interface ShardData extends Shard {
  rowNumbers?: Uint32Array;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** The object's size for a shard of `rows` × `width`. */
export function shardBytes(rows: number, width: number, withRowNumbers: boolean): number {
  return SHARD_HEADER_BYTES + 4 * rows * width + 4 * rows + (withRowNumbers ? 4 * rows : 0);
}

function check(shard: ShardData): void {
  const { rows, width } = shard;
  if (!Number.isInteger(rows) || rows < 0 || rows > 0xffffffff) throw new InternalError(`A shard's rows must be a u32, got ${rows}`);
  if (!Number.isInteger(width) || width < 1 || width > 0xffffffff) throw new InternalError(`A shard's width must be a positive u32, got ${width}`);
  if (shard.features.length !== rows * width) throw new InternalError(`A shard of ${rows} × ${width} has ${shard.features.length} feature values`);
  if (shard.labels.length !== rows) throw new InternalError(`A shard of ${rows} rows has ${shard.labels.length} labels`);
  if (shard.rowNumbers && shard.rowNumbers.length !== rows) throw new InternalError(`A shard of ${rows} rows has ${shard.rowNumbers.length} row numbers`);
}

/** Copies a typed array's values into `out` at `at`, little-endian whatever the machine. */
function put(out: Buffer, at: number, values: Float32Array | Uint32Array): number {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
  } else {
    const view = new DataView(out.buffer, out.byteOffset);
    const float = values instanceof Float32Array;
    for (let i = 0; i < values.length; i++) {
      if (float) view.setFloat32(at + 4 * i, values[i]!, true);
      else view.setUint32(at + 4 * i, values[i]!, true);
    }
  }
  return at + values.byteLength;
}

export function encodeShard(shard: ShardData): Buffer {
  check(shard);
  const { rows, width } = shard;
  const out = Buffer.alloc(shardBytes(rows, width, shard.rowNumbers !== undefined));
  out.write(SHARD_MAGIC, 0, 'latin1');
  out.writeUInt32LE(SHARD_VERSION, 4);
  out.writeUInt32LE(rows, 8);
  out.writeUInt32LE(width, 12);
  out.writeUInt32LE(shard.rowNumbers ? FLAG_ROW_NUMBERS : 0, 16);
  let at = put(out, SHARD_HEADER_BYTES, shard.features);
  at = put(out, at, shard.labels);
  if (shard.rowNumbers) put(out, at, shard.rowNumbers);
  out.writeUInt32LE(crc32(out.subarray(SHARD_HEADER_BYTES)), 20);
  return out;
}

function take<A extends Float32Array | Uint32Array>(bytes: Uint8Array, at: number, make: (n: number) => A, count: number): A {
  const values = make(count);
  if (LITTLE_ENDIAN) {
    // A copy, not a view: the bytes (a pooled Buffer) need not be 4-byte aligned.
    new Uint8Array(values.buffer).set(bytes.subarray(at, at + 4 * count));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const float = values instanceof Float32Array;
    for (let i = 0; i < count; i++) values[i] = float ? view.getFloat32(at + 4 * i, true) : view.getUint32(at + 4 * i, true);
  }
  return values;
}

/** The shard in `bytes`; InvalidInput naming `key` when they are not a whole, undamaged shard of this version. */
export function decodeShard(bytes: Uint8Array, key: string): ShardData {
  const bad = (why: string) => new InvalidInput(`${key} is not a dataset shard longhaul can read: ${why}`, { key });
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < SHARD_HEADER_BYTES) throw bad(`it has ${buf.length} bytes, fewer than the ${SHARD_HEADER_BYTES}-byte header (truncated, or not a shard)`);
  const magic = buf.toString('latin1', 0, 4);
  if (magic !== SHARD_MAGIC) throw bad(`it starts with ${JSON.stringify(magic)}, not the shard magic "${SHARD_MAGIC}"`);
  const version = buf.readUInt32LE(4);
  if (version !== SHARD_VERSION) throw bad(`it is format version ${version}; this code reads version ${SHARD_VERSION}`);
  const rows = buf.readUInt32LE(8);
  const width = buf.readUInt32LE(12);
  const flags = buf.readUInt32LE(16);
  if (width < 1) throw bad('its header says 0 inputs a row');
  if ((flags & ~FLAG_ROW_NUMBERS) !== 0) throw bad(`its header has unknown flags ${flags}`);
  const withRowNumbers = (flags & FLAG_ROW_NUMBERS) !== 0;
  const expected = shardBytes(rows, width, withRowNumbers);
  if (buf.length !== expected) {
    throw bad(`it has ${buf.length} bytes where its header (${rows} rows × ${width} inputs${withRowNumbers ? ', row numbers' : ''}) makes ${expected}: ${buf.length < expected ? 'truncated' : 'bytes past its end'}`);
  }
  const stored = buf.readUInt32LE(20);
  const actual = crc32(buf.subarray(SHARD_HEADER_BYTES));
  if (stored !== actual) throw bad(`its data does not match its checksum (CRC-32 ${actual.toString(16)}, header says ${stored.toString(16)}): damaged`);
  let at = SHARD_HEADER_BYTES;
  const features = take(buf, at, (n) => new Float32Array(n), rows * width);
  at += features.byteLength;
  const labels = take(buf, at, (n) => new Float32Array(n), rows);
  at += labels.byteLength;
  const shard: ShardData = { rows, width, features, labels };
  if (withRowNumbers) shard.rowNumbers = take(buf, at, (n) => new Uint32Array(n), rows);
  return shard;
}
