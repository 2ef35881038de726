// Exact float summation: the classic hard cases, specials and signed zeros, and random arrays summed
// through random partitions and merge trees, all against the exact rational oracle.
import { expect } from 'chai';
import { ExactFloatSum } from '../../../../handlers/etl/aggregate/exact-float-sum';
import { InvalidAccumulatorJSON } from '../../../../handlers/etl/aggregate/json-codec';
import { oracleQuotient, oracleSum, seededRandom, splitAndMerge, stressArray, type Random } from './oracle';

const MAX = Number.MAX_VALUE;

function sumOf(values: readonly number[]): ExactFloatSum {
  const sum = new ExactFloatSum();
  for (const x of values) sum.add(x);
  return sum;
}

function roundTrip(sum: ExactFloatSum): ExactFloatSum {
  return ExactFloatSum.fromJSON(JSON.parse(JSON.stringify(sum)));
}

function splitSum(rng: Random, values: readonly number[]): ExactFloatSum {
  return splitAndMerge(rng, values, {
    create: () => new ExactFloatSum(),
    add: (sum, x) => sum.add(x),
    merge: (into, from) => into.merge(from),
    roundTrip,
  });
}

function expectSame(actual: number, expected: number, what: string): void {
  expect(Object.is(actual, expected), `${what}: got ${actual}, expected ${expected}`).to.equal(true);
}

/** A double written as C's hex float: 0x1.df11f45f4e61ap+2 is hexDouble('1df11f45f4e61a', 2). */
function hexDouble(significand: string, exponent: number): number {
  return Number(BigInt(`0x${significand}`)) * 2 ** (exponent - 4 * (significand.length - 1));
}

const range = (from: number, to: number, step = 1) => Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);

// From CPython's test_math.testFsum, plus the cases fsum raises on (intermediate overflow), which an
// exact sum must get right instead.
const CASES: [string, number[], number][] = [
  ['nothing', [], 0],
  ['intermediate overflow', [1e308, 1e308, -1e308], 1e308],
  ['intermediate overflow, negative', [-MAX, -MAX, MAX, MAX, -MAX], -MAX],
  ['1 + 1e100 + 1 - 1e100', [1, 1e100, 1, -1e100], 2],
  ['ten times 0.1', Array(10).fill(0.1), 1],
  ['1e100 cancelling around 1e-100', [1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50], 1e-100],
  ['2^53 - 0.5 - 2^-54', [2 ** 53, -0.5, -(2 ** -54)], 2 ** 53 - 1],
  ['2^53 + 1 + 2^-100: the tie is broken by a lower partial', [2 ** 53, 1, 2 ** -100], 2 ** 53 + 2],
  ['2^53 + 10 + 1 + 2^-100', [2 ** 53 + 10, 1, 2 ** -100], 2 ** 53 + 12],
  ['2^53 - 4 + 0.5 + 2^-54', [2 ** 53 - 4, 0.5, 2 ** -54], 2 ** 53 - 3],
  ['1e16 + 1 + 1e-16', [1e16, 1, 1e-16], 10000000000000002],
  ['exact cancellation', [1e16 - 2, 1 - 2 ** -53, -(1e16 - 2), -(1 - 2 ** -53)], 0],
  ['harmonic 1..1000', range(1, 1001).map((n) => 1 / n), hexDouble('1df11f45f4e61a', 2)],
  ['alternating harmonic', range(1, 1001).map((n) => (-1) ** n / n), -hexDouble('162a2af1bd3624', -1)],
  [
    'every exponent, up to 2^1022',
    [...range(-1074, 972, 2).map((n) => 2 ** n - 2 ** (n + 50) + 2 ** (n + 52)), -(2 ** 1022)],
    hexDouble('15555555555555', 970),
  ],
  ['tie to even, down', [1, 2 ** -53], 1],
  ['tie to even, up', [1 + 2 ** -52, 2 ** -53], 1 + 2 ** -51],
  ['a tie broken upward by the smallest subnormal', [1, 2 ** -53, 5e-324], 1 + 2 ** -52],
  ['a tie broken downward by the smallest subnormal', [1 + 2 ** -52, 2 ** -53, -5e-324], 1 + 2 ** -52],
  ['subnormals add exactly', Array(1000).fill(5e-324), 1000 * 5e-324],
  ['down to a subnormal', [2 ** -1022, -(2 ** -1022) + 5e-324, 2 ** -1074], 2 * 5e-324],
  ['the largest double plus half its ulp overflows', [MAX, 2 ** 970], Infinity],
  ['the largest double plus less than half its ulp', [MAX, 2 ** 969], MAX],
  ['an exact sum past the range', [MAX, MAX], Infinity],
  ['past the range and back', [MAX, MAX, MAX, -MAX, -MAX], MAX],
];

describe('handlers/etl/aggregate/exact-float-sum', () => {
  describe('hard cases', () => {
    for (const [name, values, expected] of CASES) {
      it(name, () => {
        expectSame(oracleSum(values), expected, 'oracle');
        expectSame(sumOf(values).result(), expected, 'in order');
        expectSame(sumOf(values.slice().reverse()).result(), expected, 'reversed');
        expectSame(roundTrip(sumOf(values)).result(), expected, 'through JSON');
      });
    }
  });

  describe('specials and signed zeros', () => {
    const specials: [number[], number][] = [
      [[Infinity, -Infinity], NaN],
      [[NaN, 1], NaN],
      [[1, NaN, Infinity], NaN],
      [[Infinity, 1e308, 1e308], Infinity],
      [[-Infinity, -Infinity, MAX], -Infinity],
      [[-0], -0],
      [[-0, -0], -0],
      [[-0, 0], 0],
      [[0], 0],
      [[1, -1], 0],
      [[-1, 1], 0],
      [[-0, 1, -1], 0],
      [[-5e-324, 5e-324, -0], 0],
    ];
    for (const [values, expected] of specials) {
      it(`[${values.map((x) => (Object.is(x, -0) ? '-0' : String(x))).join(', ')}] is ${Object.is(expected, -0) ? '-0' : expected}`, () => {
        expectSame(oracleSum(values), expected, 'oracle');
        expectSame(sumOf(values).result(), expected, 'in order');
        expectSame(sumOf(values.slice().reverse()).result(), expected, 'reversed');
        expectSame(roundTrip(sumOf(values)).result(), expected, 'through JSON');
        const split = new ExactFloatSum();
        for (const x of values) split.merge(sumOf([x]));
        expectSame(split.result(), expected, 'one value per merged part');
      });
    }

    it('writes specials and zero signs as words, so JSON keeps them', () => {
      expect(sumOf([Infinity, 1]).toJSON()).to.deep.equal({ small: [], large: [], special: 'Infinity', zero: 'other' });
      expect(sumOf([-0]).toJSON()).to.deep.equal({ small: [], large: [], special: 'none', zero: 'only-negative-zeros' });
      expect(sumOf([]).toJSON()).to.deep.equal({ small: [], large: [], special: 'none', zero: 'nothing-added' });
    });
  });

  describe('random arrays, random partitions, random merge trees', () => {
    it('give the oracle, to the bit, and the same JSON', function () {
      this.timeout(600_000);
      const rng = seededRandom(20261206);
      for (let trial = 0; trial < 300; trial++) {
        const values = stressArray(rng, rng.int(0, trial < 200 ? 40 : 400));
        const expected = oracleSum(values);
        const whole = sumOf(values);
        expectSame(whole.result(), expected, `trial ${trial}, in order`);
        const json = JSON.stringify(whole);
        for (let tree = 0; tree < 4; tree++) {
          const merged = splitSum(rng, values);
          expectSame(merged.result(), expected, `trial ${trial}, tree ${tree}`);
          expect(JSON.stringify(merged), `trial ${trial}, tree ${tree}`).to.equal(json);
        }
      }
    });

    it('quotient is the exact sum divided once', () => {
      const rng = seededRandom(7);
      for (let trial = 0; trial < 100; trial++) {
        const values = stressArray(rng, rng.int(1, 30));
        const divisor = BigInt(rng.int(1, 1000));
        expectSame(splitSum(rng, values).quotient(divisor), oracleQuotient(values, divisor), `trial ${trial}`);
      }
    });
  });

  describe('merging', () => {
    it('with itself doubles the sum', () => {
      const sum = sumOf([0.1, 1e300, 2 ** 1000, -3]);
      sum.merge(sum);
      expectSame(sum.result(), oracleSum([0.1, 1e300, 2 ** 1000, -3, 0.1, 1e300, 2 ** 1000, -3]), 'doubled');
    });

    it('leaves the other sum unchanged', () => {
      const other = sumOf([1, 2 ** -60, 1e308]);
      const before = JSON.stringify(other);
      sumOf([3, Infinity]).merge(other);
      sumOf([5]).merge(other);
      expect(JSON.stringify(other)).to.equal(before);
    });
  });

  describe('fromJSON', () => {
    it('refuses what toJSON cannot have written', () => {
      const valid = { small: [0.5], large: [], special: 'none', zero: 'other' };
      const bad: [string, unknown][] = [
        ['not an object', [0.5]],
        ['a string partial', { ...valid, small: ['0.5'] }],
        ['a zero partial', { ...valid, small: [0] }],
        ['a partial too large to come from additions', { ...valid, small: [1e308] }],
        ['a large partial too large', { ...valid, large: [2 ** 600] }],
        ['an unknown special', { ...valid, special: 'inf' }],
        ['an unknown zero sign', { ...valid, zero: '-0' }],
        ['partials with a special', { ...valid, special: 'NaN' }],
        ['no partials', { special: 'none', zero: 'other' }],
        ['partials, yet only -0 added', { ...valid, zero: 'only-negative-zeros' }],
        ['a special, yet nothing added', { ...valid, small: [], special: 'Infinity', zero: 'nothing-added' }],
      ];
      for (const [what, json] of bad) expect(() => ExactFloatSum.fromJSON(json), what).to.throw(InvalidAccumulatorJSON);
    });

    it('rebuilds a valid expansion from partials in any order', () => {
      const sum = ExactFloatSum.fromJSON({ small: [1, 2 ** -60, 1, 3], large: [], special: 'none', zero: 'other' });
      expectSame(sum.result(), oracleSum([1, 2 ** -60, 1, 3]), 'value');
    });
  });
});
