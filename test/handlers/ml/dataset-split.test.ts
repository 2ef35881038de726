import { expect } from 'chai';
import { InvalidInput } from '../../../handlers/lib/errors';
import { splitCounts, splitRows, type SplitRows } from '../../../handlers/ml/dataset-split';
import { thrown } from '../../support/thrown';

const all = (s: SplitRows) => [...s.train, ...s.validation, ...s.test];

describe('handlers/ml/dataset-split', () => {
  it('partitions the rows 70/15/15: every row in exactly one split', () => {
    const s = splitRows(1000, 7);
    expect([s.train.length, s.validation.length, s.test.length]).to.deep.equal([700, 150, 150]);
    expect(all(s).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('is the same for the same seed, and different for another seed', () => {
    const a = splitRows(500, 42);
    const b = splitRows(500, 42);
    const c = splitRows(500, 43);
    expect(all(a)).to.deep.equal(all(b));
    expect([...a.train]).to.not.deep.equal([...c.train]);
    // A shuffle, not the identity: the first train rows are not 0, 1, 2...
    expect([...a.train.subarray(0, 5)]).to.not.deep.equal([0, 1, 2, 3, 4]);
  });

  it('stratified: every class of 3 rows or more reaches every split, in proportion', () => {
    // 90 rows of class 0, 7 of class 1, 3 of class 2: a plain 15% cut would often miss class 2.
    const strata = [...Array<number>(90).fill(0), ...Array<number>(7).fill(1), ...Array<number>(3).fill(2)];
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = splitRows(strata.length, seed, undefined, strata);
      for (const name of ['train', 'validation', 'test'] as const) {
        const classes = new Set([...s[name]].map((i) => strata[i]));
        expect([...classes].sort(), `${name}, seed ${seed}`).to.deep.equal([0, 1, 2]);
      }
      const count = (rows: Int32Array, c: number) => [...rows].filter((i) => strata[i] === c).length;
      expect([count(s.train, 0), count(s.validation, 0), count(s.test, 0)]).to.deep.equal([62, 14, 14]);
      expect(all(s).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
    }
  });

  it('keeps at least one row in each split once a group can spare it, and train never empty', () => {
    expect(splitCounts(3, { validation: 0.15, test: 0.15 })).to.deep.equal({ train: 1, validation: 1, test: 1 });
    expect(splitCounts(2, { validation: 0.15, test: 0.15 })).to.deep.equal({ train: 2, validation: 0, test: 0 });
    expect(splitCounts(10, { validation: 0, test: 0.2 })).to.deep.equal({ train: 8, validation: 0, test: 2 });
    expect(splitCounts(4, { validation: 0.45, test: 0.45 })).to.deep.equal({ train: 1, validation: 2, test: 1 });
  });

  it('refuses fractions that leave too little to train on', () => {
    expect(thrown(InvalidInput, () => splitRows(10, 1, { validation: 0.5, test: 0.1 })).message).to.match(/validation fraction/);
    expect(thrown(InvalidInput, () => splitRows(10, 1, { validation: 0.45, test: 0.45 })).message).to.match(/under 20%/);
  });
});
