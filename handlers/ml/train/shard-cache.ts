// The shards a training task holds in memory: loaded when a batch or a validation chunk needs them,
// dropped as soon as none does, and checked against the layout on load so a malformed shard fails with
// its key and row instead of training on misread numbers.
import { InvalidInput } from '../../lib/errors';
import type { DatasetLayout, Shard } from '../dataset-layout';
import type { RowRef } from './epoch-order';
import { shardRowCount, type SplitShape } from './epoch-order';

/** Reads one shard (in the task: from S3; in tests: from memory). */
export type ShardLoader = (key: string) => Promise<Shard>;

export type SplitName = 'train' | 'validation';

export function splitShape(layout: DatasetLayout, split: SplitName): SplitShape {
  const { rows, shards } = layout[split];
  const shape = { rows, shardRows: layout.shardRows, shards: shards.length };
  const needed = Math.ceil(rows / layout.shardRows);
  if (shards.length !== needed) {
    throw new InvalidInput(`Dataset layout: the ${split} split has ${rows} rows, which take ${needed} shards of ${layout.shardRows}, but lists ${shards.length}`, {
      field: `${split}.shards`,
    });
  }
  return shape;
}

export function checkShard(shard: Shard, key: string, layout: DatasetLayout, expectedRows: number): void {
  const fail = (what: string, row?: number) => {
    throw new InvalidInput(`Shard ${key} ${what}`, { key, ...(row === undefined ? {} : { row }) });
  };
  if (shard.rows !== expectedRows) fail(`has ${shard.rows} rows where the layout says ${expectedRows}`);
  if (shard.width !== layout.width) fail(`has ${shard.width} inputs a row where the layout says ${layout.width}`);
  if (shard.features.length !== shard.rows * shard.width) fail(`holds ${shard.features.length} feature values, not rows × width = ${shard.rows * shard.width}`);
  if (shard.labels.length !== shard.rows) fail(`holds ${shard.labels.length} labels for ${shard.rows} rows`);
  for (let i = 0; i < shard.features.length; i++) {
    if (!Number.isFinite(shard.features[i]!)) fail(`has a non-finite input value (${shard.features[i]}) in row ${Math.floor(i / shard.width)}`, Math.floor(i / shard.width));
  }
  for (let r = 0; r < shard.rows; r++) {
    const label = shard.labels[r]!;
    const ok = layout.task === 'classification' ? Number.isInteger(label) && label >= 0 && label < layout.classes : Number.isFinite(label);
    if (!ok) fail(`has label ${label} in row ${r}${layout.task === 'classification' ? `, not a class index below ${layout.classes}` : ''}`, r);
  }
}

export class ShardCache {
  private readonly held = new Map<number, Shard>();
  private readonly shape: SplitShape;

  constructor(
    private readonly layout: DatasetLayout,
    private readonly split: SplitName,
    private readonly load: ShardLoader,
  ) {
    this.shape = splitShape(layout, split);
  }

  /** Holds exactly `shards` afterwards: loads the missing ones (in parallel), drops the rest first. */
  async holdOnly(shards: readonly number[]): Promise<void> {
    const wanted = new Set(shards);
    for (const index of this.held.keys()) if (!wanted.has(index)) this.held.delete(index);
    const missing = [...wanted].filter((index) => !this.held.has(index));
    const loaded = await Promise.all(
      missing.map(async (index) => {
        const key = this.layout[this.split].shards[index]!;
        const shard = await this.load(key);
        checkShard(shard, key, this.layout, shardRowCount(this.shape, index));
        return shard;
      }),
    );
    missing.forEach((index, i) => this.held.set(index, loaded[i]!));
  }

  get(index: number): Shard {
    const shard = this.held.get(index);
    if (!shard) throw new Error(`Shard ${index} of the ${this.split} split is not loaded`);
    return shard;
  }

  /** How many shards are in memory (for the bound documented in epoch-order.ts). */
  get size(): number {
    return this.held.size;
  }

  clear(): void {
    this.held.clear();
  }
}

export interface Batch {
  rows: number;
  features: Float32Array;
  labels: Float32Array;
}

/** Copies the rows into one contiguous batch, in the given order. */
export function gatherBatch(cache: ShardCache, refs: readonly RowRef[], width: number): Batch {
  const features = new Float32Array(refs.length * width);
  const labels = new Float32Array(refs.length);
  refs.forEach(({ shard, row }, i) => {
    const source = cache.get(shard);
    features.set(source.features.subarray(row * width, (row + 1) * width), i * width);
    labels[i] = source.labels[row]!;
  });
  return { rows: refs.length, features, labels };
}
