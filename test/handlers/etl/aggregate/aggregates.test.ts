// Every aggregate over every column kind, against oracles written here (bigint arithmetic, exact
// rationals rounded by binary search, orders from UTF-8 bytes and IEEE bit patterns), and the same
// to the bit and in JSON through random partitions, merge trees and JSON round trips.
import { expect } from 'chai';
import { aggregate, type Accumulator, type Aggregate, type AggregateColumn } from '../../../../handlers/etl/aggregate/aggregates';
import { InvalidAccumulatorJSON } from '../../../../handlers/etl/aggregate/json-codec';
import { parseColumnType, type AggregateFunction, type ColumnKind } from '../../../../handlers/etl/spec';
import {
  bitsOfDouble,
  exactOf,
  nearestDouble,
  nearestSqrt,
  oracleQuotient,
  oracleSum,
  seededRandom,
  splitAndMerge,
  stressArray,
  TWO_1074,
  type Random,
} from './oracle';

type Value = string | number | bigint | boolean;
type Result = Value | null;

// ---- oracles -------------------------------------------------------------------------------------

/** A sort key per kind that orders the way the aggregates promise, computed independently. */
function orderKey(v: Value): bigint | string {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  // Hex of the UTF-8 bytes keeps their order, and a prefix sorts first as with bytes.
  if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
  // IEEE totalOrder through the bits (JS has one NaN, a positive one, so it sorts last).
  const bits = bitsOfDouble(v);
  return bits >> 63n ? ~bits & 0xffffffffffffffffn : bits | (1n << 63n);
}

function extremeOf(values: readonly Value[], fn: 'min' | 'max'): Result {
  let best: Value | null = null;
  for (const v of values) {
    if (best === null) best = v;
    else {
      const [a, b] = [orderKey(v), orderKey(best)];
      if (fn === 'min' ? a < b : a > b) best = v;
    }
  }
  return best;
}

/** Distinct by SQL equality: -0 is 0, NaN is NaN (String() gives "0" and "NaN" for those). */
function distinctCount(values: readonly Value[]): number {
  return new Set(values.map((v) => `${typeof v}:${String(v)}`)).size;
}

function unitOf(column: AggregateColumn): bigint {
  return 10n ** BigInt(column.scale ?? 0);
}

function oracleStddev(column: AggregateColumn, values: readonly Value[]): Result {
  if (values.length < 2) return null;
  const n = BigInt(values.length);
  let sum = 0n;
  let squares = 0n;
  let unit2: bigint;
  if (column.kind === 'float') {
    const xs = values as number[];
    if (xs.some((x) => !Number.isFinite(x))) return NaN;
    for (const x of xs) {
      sum += exactOf(x);
      squares += exactOf(x) ** 2n;
    }
    unit2 = TWO_1074 * TWO_1074;
  } else {
    for (const x of values as bigint[]) {
      sum += x;
      squares += x * x;
    }
    unit2 = unitOf(column) ** 2n;
  }
  return nearestSqrt(n * squares - sum * sum, n * (n - 1n) * unit2);
}

function oracle(fn: AggregateFunction | 'count(*)', column: AggregateColumn, rows: readonly (Value | null)[]): Result {
  const values = rows.filter((v): v is Value => v !== null);
  const bigints = values as bigint[];
  const total = () => bigints.reduce((s, v) => s + v, 0n);
  switch (fn) {
    case 'count(*)':
      return rows.length;
    case 'count':
      return values.length;
    case 'count_distinct':
      return distinctCount(values);
    case 'min':
    case 'max':
      return extremeOf(values, fn);
    case 'sum':
      if (values.length === 0) return null;
      return column.kind === 'float' ? oracleSum(values as number[]) : total();
    case 'avg':
      if (values.length === 0) return null;
      if (column.kind === 'float') return oracleQuotient(values as number[], BigInt(values.length));
      return nearestDouble(total(), BigInt(values.length) * unitOf(column));
    case 'stddev':
      return oracleStddev(column, values);
  }
}

// ---- random columns ------------------------------------------------------------------------------

const STRING_PIECES = ['', 'a', 'b', 'é', '\uE000', '\uFFFF', '😀', 'ab', 'Zürich', '東京'];

function randomValue(rng: Random, column: AggregateColumn, style: number): Value {
  switch (column.kind) {
    case 'int':
    case 'timestamp': {
      if (style === 0) return BigInt(rng.int(-5, 5));
      const edge = rng.pick([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]);
      return rng.next() < 0.3 ? edge : BigInt.asIntN(64, BigInt(Math.floor(rng.next() * 2 ** 53)) * BigInt(rng.int(1, 2 ** 11)));
    }
    case 'decimal': {
      const length = style === 0 ? 1 : rng.int(1, column.precision ?? 1);
      const digits = BigInt(Array.from({ length }, () => rng.int(0, 9)).join(''));
      return rng.next() < 0.5 ? -digits : digits;
    }
    case 'float':
      // Style 0 repeats a few values, both zeros among them: min, max and distinct must not depend on which came first.
      return style === 0 ? rng.pick([-0, 0, -0.75, 0.25, 0.5, 1.5]) : stressArray(rng, 1)[0]!;
    case 'date':
      return rng.int(-40000, 40000);
    case 'string':
      return Array.from({ length: rng.int(0, 3) }, () => rng.pick(STRING_PIECES)).join('');
    case 'bool':
      return rng.next() < 0.5;
  }
}

function randomRows(rng: Random, column: AggregateColumn, length: number): (Value | null)[] {
  const style = rng.int(0, 1); // 0: few distinct values (ties, repeats), 1: spread over the range
  const nulls = rng.pick([0, 0.1, 0.5, 1]);
  const rows = Array.from({ length }, () => (rng.next() < nulls ? null : randomValue(rng, column, style)));
  // Floats sometimes carry specials, which must behave the same however they are partitioned.
  if (column.kind === 'float' && rng.next() < 0.15) rows.push(rng.pick([NaN, Infinity, -Infinity, -0]));
  return rows;
}

// ---- helpers -------------------------------------------------------------------------------------

type AnyAggregate = Aggregate<Value, Result>;

function build(fn: AggregateFunction | 'count(*)', column: AggregateColumn): AnyAggregate {
  return fn === 'count(*)' ? aggregate('count', null) : aggregate(fn, column);
}

function accumulate(agg: AnyAggregate, rows: readonly (Value | null)[]): Accumulator<Value, Result> {
  const acc = agg.create();
  for (const v of rows) acc.add(v);
  return acc;
}

function roundTrip(agg: AnyAggregate, acc: Accumulator<Value, Result>): Accumulator<Value, Result> {
  return agg.fromJSON(JSON.parse(JSON.stringify(acc)));
}

function show(v: Result): string {
  return typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : JSON.stringify(v) ?? String(v);
}

function expectSameResult(actual: Result, expected: Result, what: string): void {
  expect(Object.is(actual, expected), `${what}: got ${show(actual)}, expected ${show(expected)}`).to.equal(true);
}

const COLUMNS: AggregateColumn[] = [
  { kind: 'int' },
  { kind: 'float' },
  { kind: 'decimal', precision: 12, scale: 2 },
  { kind: 'decimal', precision: 38, scale: 10 },
  { kind: 'decimal', precision: 3, scale: 0 },
  { kind: 'string' },
  { kind: 'bool' },
  { kind: 'date' },
  { kind: 'timestamp' },
];
const NUMERIC = new Set<ColumnKind>(['int', 'float', 'decimal']);
const FUNCTIONS: (AggregateFunction | 'count(*)')[] = ['count(*)', 'count', 'sum', 'avg', 'min', 'max', 'count_distinct', 'stddev'];

function columnName(column: AggregateColumn): string {
  return column.kind === 'decimal' ? `decimal(${column.precision},${column.scale})` : column.kind;
}

// ---- tests ---------------------------------------------------------------------------------------

describe('handlers/etl/aggregate/aggregates', () => {
  describe('every function over every kind: the oracle, to the bit, however partitioned and merged', () => {
    for (const column of COLUMNS) {
      for (const fn of FUNCTIONS) {
        if ((fn === 'sum' || fn === 'avg' || fn === 'stddev') && !NUMERIC.has(column.kind)) continue;
        it(fn === 'count(*)' ? `count(*) of rows with a ${columnName(column)} column` : `${fn}(${columnName(column)})`, () => {
          const rng = seededRandom(fn.length * 1000 + columnName(column).length);
          const agg = build(fn, column);
          for (let trial = 0; trial < 60; trial++) {
            const rows = randomRows(rng, column, rng.int(0, trial < 40 ? 12 : 120));
            const expected = oracle(fn, column, rows);
            const whole = accumulate(agg, rows);
            expectSameResult(whole.result(), expected, `trial ${trial}`);
            const json = JSON.stringify(whole);
            for (let tree = 0; tree < 3; tree++) {
              const merged = splitAndMerge(rng, rows, {
                create: () => agg.create(),
                add: (acc, v) => acc.add(v),
                merge: (into, from) => into.merge(from),
                roundTrip: (acc) => roundTrip(agg, acc),
              });
              expectSameResult(merged.result(), expected, `trial ${trial}, tree ${tree}`);
              expect(JSON.stringify(merged), `trial ${trial}, tree ${tree}`).to.equal(json);
            }
          }
        });
      }
    }
  });

  describe('results', () => {
    it('of no values: counts are 0, everything else null', () => {
      for (const rows of [[], [null, null]]) {
        expect(accumulate(build('count', { kind: 'int' }), rows).result()).to.equal(0);
        expect(accumulate(build('count_distinct', { kind: 'string' }), rows).result()).to.equal(0);
        for (const fn of ['sum', 'avg', 'min', 'max', 'stddev'] as const) {
          expect(accumulate(build(fn, { kind: 'float' }), rows).result(), fn).to.equal(null);
        }
      }
      expect(accumulate(build('count(*)', { kind: 'int' }), [null, null, 3n]).result()).to.equal(3);
    });

    it('stddev is null for one value, as DuckDB', () => {
      expect(accumulate(build('stddev', { kind: 'int' }), [5n, null]).result()).to.equal(null);
      expect(accumulate(build('stddev', { kind: 'int' }), [1n, 2n, 3n, 4n]).result()).to.equal(1.2909944487358056);
    });

    it('stddev and avg stay finite where the sums of x or x² overflow a double', () => {
      expectSameResult(accumulate(build('stddev', { kind: 'float' }), [1e308, -1e308]).result(), nearestSqrt(2n * exactOf(1e308) ** 2n, TWO_1074 ** 2n), 'stddev');
      expect(accumulate(build('stddev', { kind: 'float' }), [1e308, -1e308]).result()).to.be.closeTo(1e308 * Math.SQRT2, 1e293);
      expect(accumulate(build('avg', { kind: 'float' }), [1e308, 1e308]).result()).to.equal(1e308);
      expect(accumulate(build('sum', { kind: 'float' }), [1e308, 1e308]).result()).to.equal(Infinity);
    });

    it('sum of decimals is exact beyond the column precision', () => {
      const agg = build('sum', { kind: 'decimal', precision: 38, scale: 0 });
      const max = 10n ** 38n - 1n;
      expect(accumulate(agg, Array(1000).fill(max)).result()).to.equal(1000n * max);
    });

    it('float specials: NaN is the greatest, inf + -inf sums to NaN, stddev of an infinite value is NaN', () => {
      expectSameResult(accumulate(build('max', { kind: 'float' }), [1, NaN, Infinity]).result(), NaN, 'max');
      expectSameResult(accumulate(build('min', { kind: 'float' }), [1, NaN, -Infinity]).result(), -Infinity, 'min');
      expectSameResult(accumulate(build('min', { kind: 'float' }), [0, -0]).result(), -0, 'min of zeros');
      expectSameResult(accumulate(build('max', { kind: 'float' }), [-0, 0]).result(), 0, 'max of zeros');
      expectSameResult(accumulate(build('sum', { kind: 'float' }), [Infinity, -Infinity]).result(), NaN, 'sum');
      expectSameResult(accumulate(build('avg', { kind: 'float' }), [Infinity, 1]).result(), Infinity, 'avg');
      expectSameResult(accumulate(build('stddev', { kind: 'float' }), [Infinity, 1]).result(), NaN, 'stddev');
      expect(accumulate(build('count_distinct', { kind: 'float' }), [1, NaN, -0, 0, NaN]).result()).to.equal(3);
    });

    it('are typed by function and kind', () => {
      const sum: bigint | null = aggregate('sum', { kind: 'decimal', precision: 12, scale: 2 }).create().result();
      const floatSum: number | null = aggregate('sum', { kind: 'float' }).create().result();
      const min: string | null = aggregate('min', { kind: 'string' }).create().result();
      const count: number = aggregate('count', null).create().result();
      const stddev: number | null = aggregate('stddev', { kind: 'int' }).create().result();
      expect([sum, floatSum, min, count, stddev]).to.deep.equal([null, null, null, 0, null]);
    });
  });

  describe('state JSON', () => {
    it('is small, explicit and names its aggregate', () => {
      const acc = accumulate(build('sum', { kind: 'decimal', precision: 12, scale: 2 }), [150n, -25n, null]);
      expect(acc.toJSON()).to.deep.equal({ of: 'sum(decimal(12,2))', n: 2, sum: '125' });
      const distinct = accumulate(build('count_distinct', { kind: 'float' }), [2, -0, NaN, -Infinity, 0.5]);
      expect(distinct.toJSON()).to.deep.equal({ of: 'count_distinct(float)', values: ['-Infinity', 0, 0.5, 2, 'NaN'] });
      const max = accumulate(build('max', { kind: 'float' }), [-0]);
      expect(max.toJSON()).to.deep.equal({ of: 'max(float)', value: '-0' });
    });

    it('is refused by another aggregate, and when malformed', () => {
      const sum = build('sum', { kind: 'decimal', precision: 12, scale: 2 });
      const state = accumulate(sum, [1n]).toJSON();
      expect(() => build('sum', { kind: 'decimal', precision: 12, scale: 3 }).fromJSON(state)).to.throw(InvalidAccumulatorJSON, /expected the state of sum\(decimal\(12,3\)\)/);
      const bad: unknown[] = [null, [], { of: 'sum(decimal(12,2))' }, { of: 'sum(decimal(12,2))', n: -1, sum: '0' }, { of: 'sum(decimal(12,2))', n: 1, sum: 1 }, { of: 'sum(decimal(12,2))', n: 1, sum: '01' }];
      for (const json of bad) expect(() => sum.fromJSON(json), JSON.stringify(json)).to.throw(InvalidAccumulatorJSON);
      expect(() => build('max', { kind: 'float' }).fromJSON({ of: 'max(float)', value: 'nan' })).to.throw(InvalidAccumulatorJSON, /value: expected a double/);
    });
  });

  describe('misuse', () => {
    it('refuses to merge accumulators of different aggregates', () => {
      const a = build('sum', { kind: 'int' }).create();
      const b = build('avg', { kind: 'int' }).create();
      expect(() => a.merge(b)).to.throw(TypeError, /cannot merge avg\(int\) into sum\(int\)/);
    });

    it('refuses values of the wrong JavaScript type', () => {
      expect(() => build('sum', { kind: 'int' }).create().add(1)).to.throw(TypeError, /int values must be bigints, got the number 1/);
      expect(() => build('min', { kind: 'float' }).create().add(1n)).to.throw(TypeError, /float values must be numbers, got the bigint 1/);
      expect(() => build('count', { kind: 'string' }).create().add(true)).to.throw(TypeError, /string values must be strings, got the boolean true/);
    });

    it('refuses functions a kind has no meaning for, and bad columns', () => {
      expect(() => aggregate('sum', { kind: 'string' })).to.throw(TypeError, /sum needs a numeric column \(int, float, decimal\), not string/);
      expect(() => aggregate('avg', { kind: 'date' })).to.throw(TypeError, /avg needs a numeric column/);
      expect(() => aggregate('stddev', { kind: 'bool' })).to.throw(TypeError, /stddev needs a numeric column/);
      expect(() => aggregate('min', null)).to.throw(TypeError, /min needs a column/);
      expect(() => aggregate('sum', { kind: 'decimal' })).to.throw(RangeError, /decimal precision/);
      expect(() => aggregate('sum', { kind: 'decimal', precision: 5, scale: 6 })).to.throw(RangeError, /decimal scale/);
      expect(() => aggregate('median' as AggregateFunction, { kind: 'int' })).to.throw(TypeError, /unknown aggregate function "median"/);
      expect(() => aggregate('min', { kind: 'uuid' as ColumnKind })).to.throw(TypeError, /unknown column kind "uuid"/);
    });

    it('takes the ETL spec column types as they are', () => {
      const type = parseColumnType('decimal(12,2)!');
      if (typeof type === 'string') throw new Error(type);
      const acc = aggregate('avg', type).create();
      acc.add(1234n);
      acc.add(1n);
      expect(acc.result()).to.equal(6.175);
      expect(aggregate('max', type).name).to.equal('max(decimal(12,2))');
    });
  });
});
