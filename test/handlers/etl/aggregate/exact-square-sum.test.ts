// Exact sums of squares, against squares of the oracle's exact values, in and out of the range where
// squares are split without error, and through random partitions and merge trees.
import { expect } from 'chai';
import { ExactSquareSum, SQUARE_SCALE_BITS } from '../../../../handlers/etl/aggregate/exact-square-sum';
import { anyFiniteDouble, doubleWithExponent, exactOf, seededRandom, splitAndMerge, stressArray, type Random } from './oracle';

function oracleSquares(values: readonly number[]): bigint {
  return values.reduce((sum, x) => sum + exactOf(x) * exactOf(x), 0n);
}

function squaresOf(values: readonly number[]): ExactSquareSum {
  const sum = new ExactSquareSum();
  for (const x of values) sum.add(x);
  return sum;
}

/** Values all over the range, with the edges of the split-without-error range and beyond. */
function squareStress(rng: Random, length: number): number[] {
  const edges = [2 ** -480, 2 ** -481, 2 ** 500, 2 ** 501, 5e-324, Number.MAX_VALUE, 0, -0, 1 + 2 ** -52, 134217729];
  return Array.from({ length }, () => {
    const roll = rng.next();
    if (roll < 0.2) return rng.pick(edges) * (rng.next() < 0.5 ? -1 : 1);
    if (roll < 0.5) return anyFiniteDouble(rng);
    if (roll < 0.7) return doubleWithExponent(rng, -520, -470);
    if (roll < 0.8) return doubleWithExponent(rng, 490, 520);
    return stressArray(rng, 1)[0]!;
  });
}

describe('handlers/etl/aggregate/exact-square-sum', () => {
  it('is scaled by 2^2148', () => {
    expect(SQUARE_SCALE_BITS).to.equal(2148);
    expect(squaresOf([3, -4]).exactScaled()).to.equal(25n << 2148n);
  });

  it('sums squares exactly where x*x rounds, overflows or underflows', () => {
    const cases = [[0.1], [1 + 2 ** -52], [1e200, -1e200], [Number.MAX_VALUE], [5e-324, 2 ** -600], [2 ** 500, 2 ** 501, 2 ** -480, 2 ** -481]];
    for (const values of cases) expect(squaresOf(values).exactScaled(), String(values)).to.equal(oracleSquares(values));
  });

  it('gives the oracle and the same JSON through random partitions and merge trees', () => {
    const rng = seededRandom(99);
    for (let trial = 0; trial < 200; trial++) {
      const values = squareStress(rng, rng.int(0, 60));
      const expected = oracleSquares(values);
      const json = JSON.stringify(squaresOf(values));
      for (let tree = 0; tree < 3; tree++) {
        const merged = splitAndMerge(rng, values, {
          create: () => new ExactSquareSum(),
          add: (sum, x) => sum.add(x),
          merge: (into, from) => into.merge(from),
          roundTrip: (sum) => ExactSquareSum.fromJSON(JSON.parse(JSON.stringify(sum))),
        });
        expect(merged.exactScaled(), `trial ${trial}`).to.equal(expected);
        expect(JSON.stringify(merged), `trial ${trial}`).to.equal(json);
      }
    }
  });

  it('refuses NaN and the infinities', () => {
    for (const x of [NaN, Infinity, -Infinity]) expect(() => new ExactSquareSum().add(x)).to.throw(RangeError);
  });
});
