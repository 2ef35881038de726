import { expect } from 'chai';
import { EpochOrder, shardRowCount, type SplitShape } from '../../../../handlers/ml/train/epoch-order';

// 7 shards of 10 rows, the last holding 3: windows of 3 shards, so 3 windows (3, 3, 1 shards).
const SPLIT: SplitShape = { rows: 63, shardRows: 10, shards: 7 };

function positions(order: EpochOrder): string[] {
  return order.rowsAt(0, order.rows).map((r) => `${r.shard}:${r.row}`);
}

describe('handlers/ml/train/epoch-order', () => {
  it('visits every train row exactly once per epoch', () => {
    const seen = positions(new EpochOrder(SPLIT, 42, 0, 3));
    const all: string[] = [];
    for (let s = 0; s < SPLIT.shards; s++) for (let r = 0; r < shardRowCount(SPLIT, s); r++) all.push(`${s}:${r}`);
    expect(seen).to.have.length(63);
    expect([...seen].sort()).to.deep.equal([...all].sort());
  });

  it('is a function of (seed, epoch) alone: recomputed, the same; another epoch or seed, another order', () => {
    const a = positions(new EpochOrder(SPLIT, 42, 3, 3));
    expect(positions(new EpochOrder(SPLIT, 42, 3, 3))).to.deep.equal(a);
    expect(positions(new EpochOrder(SPLIT, 42, 4, 3))).to.not.deep.equal(a);
    expect(positions(new EpochOrder(SPLIT, 43, 3, 3))).to.not.deep.equal(a);
  });

  it('gives the same rows read in pieces as at once (a resumed task continues the same order)', () => {
    const order = new EpochOrder(SPLIT, 9, 1, 3);
    const whole = order.rowsAt(0, 63);
    const fresh = new EpochOrder(SPLIT, 9, 1, 3);
    const pieces = [...fresh.rowsAt(0, 17), ...new EpochOrder(SPLIT, 9, 1, 3).rowsAt(17, 40), ...fresh.rowsAt(40, 63)];
    expect(pieces).to.deep.equal(whole);
  });

  it('draws each batch from at most two shuffle windows, and names the shards it needs', () => {
    const order = new EpochOrder(SPLIT, 5, 0, 3);
    for (let from = 0; from < 63; from += 8) {
      const to = Math.min(from + 8, 63);
      const needed = order.shardsFor(from, to);
      expect(needed.length).to.be.at.most(6);
      for (const ref of order.rowsAt(from, to)) expect(needed).to.include(ref.shard);
    }
    // Rows of one window come only from that window's shards.
    const firstWindow = order.shardsOfWindow(0);
    const windowRows = firstWindow.reduce((n, s) => n + shardRowCount(SPLIT, s), 0);
    for (const ref of order.rowsAt(0, windowRows)) expect(firstWindow).to.include(ref.shard);
  });

  it('shuffles across all shards when they fit in one window', () => {
    const order = new EpochOrder(SPLIT, 5, 0, 8);
    expect(order.windows).to.equal(1);
    const firstRows = order.rowsAt(0, 16);
    expect(new Set(firstRows.map((r) => r.shard)).size).to.be.greaterThan(3);
  });
});
