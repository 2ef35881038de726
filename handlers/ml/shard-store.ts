// Dataset shards in S3: written a few at a time as they are encoded (a split's features need never be in
// memory at once), read back whole (one GET) by the tasks that train and evaluate.
import { InternalError } from '../lib/errors';
import { forEachLimit } from '../lib/for-each-limit';
import { getStream, putBuffer } from '../lib/s3';
import type { DatasetLayout, Shard } from './dataset-layout';
import type { SplitName } from './dataset-keys';
import { decodeShard, encodeShard, type ShardData } from './shard-format';

/** A split's rows, encoded on demand a shard at a time. */
export interface ShardSource {
  rows: number;
  width: number;
  /** Rows `start..end-1`, encoded. */
  slice(start: number, end: number): ShardData;
}

export interface WriteShardsOptions {
  /** Shards encoded and uploading at once (default 3): bounds memory to that many shards. */
  concurrency?: number;
}

/**
 * Writes `source` as shards of `shardRows` rows (the last one shorter) at `keyOf(0)`, `keyOf(1)`, ...
 * and returns their keys in row order; a split of 0 rows has no shards. Keys are deterministic, so a
 * retry overwrites what a failed attempt left.
 */
export async function writeShards(keyOf: (index: number) => string, source: ShardSource, shardRows: number, opts: WriteShardsOptions = {}): Promise<string[]> {
  if (!Number.isInteger(shardRows) || shardRows < 1) throw new InternalError(`shardRows must be a positive integer, got ${shardRows}`);
  const count = Math.ceil(source.rows / shardRows);
  const keys = Array.from({ length: count }, (_, i) => keyOf(i));
  await forEachLimit(keys, opts.concurrency ?? 3, async (key, i) => {
    const start = i * shardRows;
    const shard = source.slice(start, Math.min(source.rows, start + shardRows));
    if (shard.width !== source.width) throw new InternalError(`Shard ${key} has width ${shard.width}, its split ${source.width}`);
    await putBuffer(key, encodeShard(shard), { contentType: 'application/octet-stream' });
  });
  return keys;
}

/** The shard at `key`; InputNotFound when it is absent, InvalidInput when it is not an intact shard. */
export async function readShard(key: string): Promise<ShardData> {
  const chunks: Buffer[] = [];
  for await (const chunk of await getStream(key)) chunks.push(chunk as Buffer);
  return decodeShard(Buffer.concat(chunks), key);
}

/** Every row of one split, its shards concatenated in order (Evaluate's test set; small splits). */
export async function readSplit(layout: DatasetLayout, split: SplitName): Promise<Shard> {
  const { rows, shards } = layout[split];
  const features = new Float32Array(rows * layout.width);
  const labels = new Float32Array(rows);
  let at = 0;
  for (const key of shards) {
    const shard = await readShard(key);
    if (shard.width !== layout.width) throw new InternalError(`${key} has width ${shard.width}, its layout ${layout.width}`);
    if (at + shard.rows > rows) throw new InternalError(`The ${split} shards hold more than the layout's ${rows} rows`);
    features.set(shard.features, at * layout.width);
    labels.set(shard.labels, at);
    at += shard.rows;
  }
  if (at !== rows) throw new InternalError(`The ${split} shards hold ${at} rows, the layout says ${rows}`);
  return { rows, width: layout.width, features, labels };
}
