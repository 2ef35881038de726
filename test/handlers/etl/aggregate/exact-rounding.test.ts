// Exact values of doubles, and the single correct rounding back, against the bigint oracle (which is
// itself checked first against the hardware's correctly rounded +, / and sqrt).
import { expect } from 'chai';
import { bitLength, doubleToScaled, roundRatio, roundSqrtRatio, SCALE } from '../../../../handlers/etl/aggregate/exact-rounding';
import { anyFiniteDouble, doubleWithExponent, exactOf, nearestDouble, nearestSqrt, nextUp, seededRandom, TWO_1074, type Random } from './oracle';

const MAX = Number.MAX_VALUE;
const MIN_SUBNORMAL = 5e-324;

function same(actual: number, expected: number, what: string): void {
  expect(Object.is(actual, expected), `${what}: got ${actual}, expected ${expected}`).to.equal(true);
}

/** A random positive bigint of 1..bits bits. */
function randomBigInt(rng: Random, bits: number): bigint {
  const length = rng.int(1, bits);
  let n = 1n;
  for (let i = 1; i < length; i++) n = (n << 1n) | (rng.next() < 0.5 ? 1n : 0n);
  return n;
}

describe('handlers/etl/aggregate/exact-rounding', () => {
  describe('the oracle agrees with IEEE hardware', () => {
    it('on a + b, a / b and sqrt(a), which IEEE rounds correctly', () => {
      const rng = seededRandom(11);
      for (let i = 0; i < 300; i++) {
        const a = i % 2 ? anyFiniteDouble(rng) : doubleWithExponent(rng, -30, 30);
        const b = i % 3 ? anyFiniteDouble(rng) : doubleWithExponent(rng, -30, 30);
        same(nearestDouble(exactOf(a) + exactOf(b), TWO_1074), a + b === 0 ? 0 : a + b, `${a} + ${b}`);
        if (b !== 0) same(nearestDouble(b < 0 ? -exactOf(a) : exactOf(a), b < 0 ? -exactOf(b) : exactOf(b)), a / b, `${a} / ${b}`);
        same(nearestSqrt(exactOf(Math.abs(a)), TWO_1074), Math.sqrt(Math.abs(a)), `sqrt ${a}`);
      }
    });
  });

  describe('doubleToScaled', () => {
    it('is the exact value times 2^1074, for every kind of double', () => {
      const rng = seededRandom(1);
      const fixed = [0, -0, 1, -1, 0.1, MIN_SUBNORMAL, -MIN_SUBNORMAL, 2 ** -1022, MAX, -MAX, 2 ** 53 + 2];
      for (const x of [...fixed, ...Array.from({ length: 500 }, () => anyFiniteDouble(rng))]) {
        expect(doubleToScaled(x), String(x)).to.equal(exactOf(x));
      }
    });

    it('refuses NaN and the infinities, which have no exact finite value', () => {
      for (const x of [NaN, Infinity, -Infinity]) expect(() => doubleToScaled(x)).to.throw(RangeError);
    });
  });

  describe('roundRatio', () => {
    it('matches the oracle on random ratios across the whole range', () => {
      const rng = seededRandom(2);
      for (let i = 0; i < 400; i++) {
        const num = randomBigInt(rng, 2300) * (rng.next() < 0.5 ? -1n : 1n);
        const den = rng.next() < 0.3 ? TWO_1074 : randomBigInt(rng, 1200);
        same(roundRatio(num, den), nearestDouble(num, den), `${num}/${den}`);
      }
    });

    it('rounds exact ties to even, in normal and subnormal ranges', () => {
      const rng = seededRandom(3);
      for (let i = 0; i < 200; i++) {
        const a = i % 2 ? Math.abs(anyFiniteDouble(rng)) : Math.abs(doubleWithExponent(rng, -1074, -1020));
        if (a === MAX) continue;
        const midpoint2 = exactOf(a) + exactOf(nextUp(a)); // the tie, times 2
        const expected = nearestDouble(midpoint2, 2n * TWO_1074);
        same(roundRatio(midpoint2, 2n * TWO_1074), expected, `tie above ${a}`);
        same(roundRatio(-midpoint2, 2n * TWO_1074), -expected, `tie below ${-a}`);
      }
      same(roundRatio(1n, 2n * TWO_1074), 0, 'half the smallest subnormal');
      same(roundRatio(-1n, 2n * TWO_1074), -0, 'minus half the smallest subnormal');
      same(roundRatio(3n, 2n * TWO_1074), 2 * MIN_SUBNORMAL, 'one and a half smallest subnormals');
      same(roundRatio((1n << 53n) + 1n, 1n << 53n), 1, '1 + 2^-53');
      same(roundRatio((1n << 53n) + 3n, 1n << 53n), 1 + 2 ** -51, '1 + 3 * 2^-53');
    });

    it('overflows to Infinity exactly from half an ulp above the largest double', () => {
      const halfway = exactOf(MAX) + (1n << (970n + 1074n)); // MAX + 2^970
      same(roundRatio(halfway, TWO_1074), Infinity, 'the tie goes to "even" Infinity');
      same(roundRatio(halfway - 1n, TWO_1074), MAX, 'just below the tie');
      same(roundRatio(-halfway, TWO_1074), -Infinity, 'negative');
      same(roundRatio(1n << 5000n, 1n), Infinity, 'far beyond');
      same(roundRatio(1n, 1n << 5000n), 0, 'far below');
    });

    it('refuses a non-positive denominator', () => {
      expect(() => roundRatio(1n, 0n)).to.throw(RangeError);
      expect(() => roundRatio(1n, -1n)).to.throw(RangeError);
    });
  });

  describe('roundSqrtRatio', () => {
    it('matches the oracle on random ratios', () => {
      const rng = seededRandom(4);
      for (let i = 0; i < 300; i++) {
        const num = randomBigInt(rng, 4400);
        const den = rng.next() < 0.3 ? SCALE * SCALE : randomBigInt(rng, 2300);
        same(roundSqrtRatio(num, den), nearestSqrt(num, den), `sqrt(${num}/${den})`);
      }
    });

    it('is exact for exact squares and rounds ties (squares of midpoints) to even', () => {
      const rng = seededRandom(5);
      for (let i = 0; i < 200; i++) {
        const a = Math.abs(i % 2 ? anyFiniteDouble(rng) : doubleWithExponent(rng, -50, 50));
        if (a === MAX) continue;
        same(roundSqrtRatio(exactOf(a) ** 2n, SCALE * SCALE), a, `sqrt(${a}^2)`);
        const mid = exactOf(a) + exactOf(nextUp(a)); // 2 * midpoint * 2^1074
        same(roundSqrtRatio(mid * mid, 4n * SCALE * SCALE), nearestSqrt(mid * mid, 4n * SCALE * SCALE), `midpoint above ${a}`);
      }
      same(roundSqrtRatio(0n, 7n), 0, 'zero');
      same(roundSqrtRatio(5n, 3n), nearestSqrt(5n, 3n), 'sqrt(5/3), the stddev of 1, 2, 3, 4');
    });

    it('gives a finite root of a ratio far beyond the double range, and refuses negative ones', () => {
      same(roundSqrtRatio(1n << 2000n, 1n), 2 ** 1000, 'sqrt(2^2000)');
      expect(() => roundSqrtRatio(-1n, 1n)).to.throw(RangeError);
    });
  });

  it('bitLength counts bits', () => {
    for (const [n, bits] of [[1n, 1], [2n, 2], [255n, 8], [256n, 9], [1n << 1000n, 1001]] as const) expect(bitLength(n)).to.equal(bits);
  });
});
