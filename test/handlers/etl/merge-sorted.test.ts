import { expect } from 'chai';
import { mergeSorted, runsOf } from '../../../handlers/etl/merge-sorted';
import { seededRandom } from '../../../handlers/lib/seeded-random';

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const byNumber = (a: number, b: number) => a - b;

describe('mergeSorted: k-way merge of sorted streams', () => {
  it('gives the sorted union of many random sorted sources, duplicates kept', async () => {
    const random = seededRandom(5);
    for (let round = 0; round < 20; round++) {
      const sources = Array.from({ length: random.int(0, 40) }, () => Array.from({ length: random.int(0, 30) }, () => random.int(-50, 50)).sort(byNumber));
      const merged = await collect(mergeSorted(sources.map(from), byNumber));
      expect(merged).to.deep.equal(sources.flat().sort(byNumber));
    }
  });

  it('keeps equal items in source order (a stable merge)', async () => {
    const tagged = [
      [{ k: 1, s: 'a' }, { k: 2, s: 'a' }],
      [{ k: 1, s: 'b' }, { k: 2, s: 'b' }],
      [{ k: 0, s: 'c' }, { k: 1, s: 'c' }],
    ];
    const merged = await collect(mergeSorted(tagged.map(from), (x, y) => x.k - y.k));
    expect(merged.map((x) => `${x.k}${x.s}`)).to.deep.equal(['0c', '1a', '1b', '1c', '2a', '2b']);
  });

  it('closes every source when the consumer stops early', async () => {
    const closed: number[] = [];
    async function* source(id: number) {
      try {
        for (let i = 0; i < 100; i++) yield i;
      } finally {
        closed.push(id);
      }
    }
    for await (const item of mergeSorted([source(0), source(1), source(2)], byNumber)) if (item === 3) break;
    expect(closed.sort()).to.deep.equal([0, 1, 2]);
  });
});

describe('runsOf: runs of equal items', () => {
  it('groups adjacent equal items and nothing else', async () => {
    const runs = await collect(runsOf(from([1, 1, 2, 3, 3, 3, 1]), (a, b) => a === b));
    expect(runs).to.deep.equal([[1, 1], [2], [3, 3, 3], [1]]);
    expect(await collect(runsOf(from<number>([]), (a, b) => a === b))).to.deep.equal([]);
  });
});
