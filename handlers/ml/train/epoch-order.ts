// The order an epoch visits the train rows: a seeded shuffle computed from (job seed, epoch) alone, so
// a task that resumes in the middle of an epoch recomputes the same order and carries on from its
// position in it. No generator state crosses tasks.
//
// A uniform permutation of all rows would have every batch touch rows all over the dataset, so each
// batch would need most shards in memory. Instead the shard order is shuffled, consecutive shards are
// grouped into windows of `windowShards`, and the rows of each window are shuffled together: a batch
// draws from one window (two where it straddles a boundary), and a task holds at most 2 × windowShards
// train shards. With no more shards than one window, this is a uniform permutation of every row.
import { seededRandom } from '../../lib/seeded-random';
import { mixSeed } from './seed-mix';

const SHARD_ORDER_TAG = 0x5a4d;
const WINDOW_ORDER_TAG = 0x3b1e;

/** The row counts of a split's shards: every shard holds `shardRows` but the last. */
export interface SplitShape {
  rows: number;
  shardRows: number;
  shards: number;
}

export function shardRowCount(split: SplitShape, shard: number): number {
  return shard < split.shards - 1 ? split.shardRows : split.rows - (split.shards - 1) * split.shardRows;
}

/** Fisher–Yates over 0..n-1 with the generator seeded by `seed`. */
function permutation(n: number, seed: number): Uint32Array {
  const random = seededRandom(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(0, i);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

export interface RowRef {
  shard: number;
  row: number;
}

export class EpochOrder {
  readonly rows: number;
  /** Each window's shards, in the epoch's shard order. */
  private readonly windowShardLists: number[][] = [];
  /** Epoch position where each window starts, and one past the last. */
  private readonly windowStarts: number[] = [0];
  /** The last window's row order: consecutive batches mostly stay in one window. */
  private cached: { window: number; order: Uint32Array } | undefined;

  constructor(
    private readonly split: SplitShape,
    private readonly seed: number,
    readonly epoch: number,
    windowShards: number,
  ) {
    this.rows = split.rows;
    const shardOrder = permutation(split.shards, mixSeed(seed, SHARD_ORDER_TAG, epoch));
    for (let w = 0; w * windowShards < split.shards; w++) {
      const shards = Array.from(shardOrder.subarray(w * windowShards, (w + 1) * windowShards));
      this.windowShardLists.push(shards);
      this.windowStarts.push(this.windowStarts[w]! + shards.reduce((rows, shard) => rows + shardRowCount(split, shard), 0));
    }
  }

  get windows(): number {
    return this.windowStarts.length - 1;
  }

  shardsOfWindow(window: number): readonly number[] {
    const shards = this.windowShardLists[window];
    if (!shards) throw new RangeError(`Window ${window} is outside the epoch's ${this.windows}`);
    return shards;
  }

  /** The window holding epoch position `position`. */
  windowAt(position: number): number {
    if (!Number.isInteger(position) || position < 0 || position >= this.rows) {
      throw new RangeError(`Position ${position} is outside the epoch's ${this.rows} rows`);
    }
    let lo = 0;
    let hi = this.windows - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.windowStarts[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The shards holding the rows at positions [from, to): what must be in memory to build that batch. */
  shardsFor(from: number, to: number): number[] {
    const shards: number[] = [];
    for (let w = this.windowAt(from); w <= this.windowAt(to - 1); w++) shards.push(...this.shardsOfWindow(w));
    return shards;
  }

  /** The rows at epoch positions [from, to), in order. */
  rowsAt(from: number, to: number): RowRef[] {
    const refs: RowRef[] = [];
    for (let position = from; position < to; position++) {
      const window = this.windowAt(position);
      const local = this.windowOrder(window)[position - this.windowStarts[window]!]!;
      refs.push(this.locate(window, local));
    }
    return refs;
  }

  private windowOrder(window: number): Uint32Array {
    if (this.cached?.window !== window) {
      const rows = this.windowStarts[window + 1]! - this.windowStarts[window]!;
      this.cached = { window, order: permutation(rows, mixSeed(this.seed, WINDOW_ORDER_TAG, this.epoch, window)) };
    }
    return this.cached.order;
  }

  /** Row `local` of the window's rows, its shards laid end to end in the epoch's shard order. */
  private locate(window: number, local: number): RowRef {
    let rest = local;
    for (const shard of this.shardsOfWindow(window)) {
      const rows = shardRowCount(this.split, shard);
      if (rest < rows) return { shard, row: rest };
      rest -= rows;
    }
    throw new RangeError(`Row ${local} is outside window ${window}`);
  }
}
