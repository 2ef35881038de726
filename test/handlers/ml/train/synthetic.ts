// Small seeded datasets for the training tests, laid out as Prepare lays them out: Float32 shards of a
// fixed row count (the last one shorter) per split, and the DatasetLayout naming them.
import type { DatasetLayout, MlTask, Shard } from '../../../../handlers/ml/dataset-layout';
import { seededRandom, type Random } from '../../../../handlers/lib/seeded-random';

export interface Rows {
  features: Float32Array;
  labels: Float32Array;
  rows: number;
  width: number;
}

function gaussian(random: Random): number {
  // Box–Muller; 1 - u keeps the logarithm finite.
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** `classes` Gaussian blobs in `width` dimensions, centres on a circle, overlapping a little. */
export function blobs(seed: number, rows: number, width: number, classes: number): Rows {
  const random = seededRandom(seed);
  const features = new Float32Array(rows * width);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const label = random.int(0, classes - 1);
    labels[r] = label;
    for (let c = 0; c < width; c++) {
      const centre = c < 2 ? 1.5 * (c === 0 ? Math.cos((2 * Math.PI * label) / classes) : Math.sin((2 * Math.PI * label) / classes)) : 0;
      features[r * width + c] = centre + 0.6 * gaussian(random);
    }
  }
  return { features, labels, rows, width };
}

/** y = scale · (x · w) + noise, with w fixed by `wSeed` so splits with different seeds share it. */
export function linear(seed: number, rows: number, width: number, opts: { scale?: number; noise?: number; wSeed?: number } = {}): Rows {
  const random = seededRandom(seed);
  const wRandom = seededRandom(opts.wSeed ?? 7);
  const w = Array.from({ length: width }, () => gaussian(wRandom));
  const features = new Float32Array(rows * width);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let y = 0;
    for (let c = 0; c < width; c++) {
      const x = gaussian(random);
      features[r * width + c] = x;
      y += x * w[c]!;
    }
    labels[r] = (opts.scale ?? 1) * y + (opts.noise ?? 0.1) * gaussian(random);
  }
  return { features, labels, rows, width };
}

export interface ShardedDataset {
  layout: DatasetLayout;
  shards: Map<string, Shard>;
}

export function shardDataset(prefix: string, task: MlTask, classes: number, shardRows: number, splits: Record<'train' | 'validation' | 'test', Rows>): ShardedDataset {
  const shards = new Map<string, Shard>();
  const split = (name: string, data: Rows) => {
    const keys: string[] = [];
    for (let start = 0, i = 0; start < data.rows; start += shardRows, i++) {
      const end = Math.min(start + shardRows, data.rows);
      const key = `${prefix}/${name}/shard-${String(i).padStart(4, '0')}.bin`;
      shards.set(key, {
        rows: end - start,
        width: data.width,
        features: data.features.slice(start * data.width, end * data.width),
        labels: data.labels.slice(start, end),
      });
      keys.push(key);
    }
    return { rows: data.rows, shards: keys };
  };
  return {
    layout: {
      task,
      width: splits.train.width,
      classes,
      shardRows,
      train: split('train', splits.train),
      validation: split('validation', splits.validation),
      test: split('test', splits.test),
    },
    shards,
  };
}

export const WORKER_DIED = 'worker died (simulated)';

/**
 * A loader over the in-memory shards that counts what it was asked for. The loads numbered in
 * `crashAt` (0-based) throw instead, as if the invocation died there.
 */
export function memoryLoader(dataset: ShardedDataset, crashAt: readonly number[] = []): { load: (key: string) => Promise<Shard>; loads: string[] } {
  const loads: string[] = [];
  let attempts = 0;
  return {
    loads,
    load: async (key) => {
      if (crashAt.includes(attempts++)) throw new Error(WORKER_DIED);
      loads.push(key);
      const shard = dataset.shards.get(key);
      if (!shard) throw new Error(`no shard ${key}`);
      return shard;
    },
  };
}
