// median(col), the aggregate the flight-delays module brings: against an oracle (sort everything, take
// the middle, round the midpoint by binary search over all doubles), and the same JSON and the same bits
// through random splits, merge trees and JSON round trips.
import { expect } from 'chai';
import type { Accumulator } from '../../../../handlers/etl/aggregate/aggregates';
import { median } from '../../../../handlers/etl/aggregate/exact-median';
import { InvalidAccumulatorJSON } from '../../../../handlers/etl/aggregate/json-codec';
import type { ColumnType } from '../../../../handlers/etl/spec';
import { thrown } from '../../../support/thrown';
import { exactOf, nearestDouble, seededRandom, splitAndMerge, stressArray, TWO_1074, type Random } from './oracle';

const INT: ColumnType = { kind: 'int', nullable: true };
const FLOAT: ColumnType = { kind: 'float', nullable: true };
type Acc = Accumulator<bigint | number, unknown>;

function accumulatorOf(type: ColumnType): { create: () => Acc; fromJSON: (json: unknown) => Acc } {
  const agg = median.create(type) as unknown as { create: () => Acc; fromJSON: (json: unknown) => Acc };
  return agg;
}

/** The oracle: sorted copy, the middle value(s), their exact midpoint rounded by nearestDouble. */
function oracleMedian(values: readonly (bigint | number)[]): number | null {
  const present = values.filter((v) => !(typeof v === 'number' && Number.isNaN(v)));
  const nans = values.length - present.length;
  const sorted = present.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 0; i < nans; i++) sorted.push(NaN);
  if (sorted.length === 0) return null;
  const lo = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const hi = sorted[Math.ceil((sorted.length - 1) / 2)]!;
  if (typeof lo === 'bigint') return nearestDouble(lo + (hi as bigint), 2n);
  if (Number.isNaN(lo) || Number.isNaN(hi as number)) return NaN;
  if (!Number.isFinite(lo) || !Number.isFinite(hi as number)) return lo + (hi as number);
  const m = nearestDouble(exactOf(lo) + exactOf(hi as number), 2n * TWO_1074);
  return m === 0 ? 0 : m; // the median counts -0 as 0
}

function all(type: ColumnType, values: readonly (bigint | number | null)[]): Acc {
  const acc = accumulatorOf(type).create();
  for (const v of values) acc.add(v);
  return acc;
}

function randomInts(rng: Random, n: number): bigint[] {
  const spread = rng.pick([3, 50, 10_000]);
  return Array.from({ length: n }, () => BigInt(rng.int(-spread, spread)) * (rng.next() < 0.05 ? 2n ** 60n : 1n));
}

describe('handlers/etl/aggregate/exact-median', () => {
  it('is the middle value, or the midpoint of the two middle ones, skipping nulls', () => {
    expect(all(INT, [5n, 1n, 3n]).result()).to.equal(3);
    expect(all(INT, [4n, 1n, null, 2n, 3n]).result()).to.equal(2.5);
    expect(all(INT, [-3n, -2n]).result()).to.equal(-2.5);
    expect(all(INT, [7n, 7n, 7n, 1n]).result()).to.equal(7);
    expect(all(FLOAT, [0.1, 0.2]).result()).to.equal(0.15000000000000002);
    expect(all(FLOAT, [1, NaN, 2]).result()).to.equal(2, 'NaN sorts last');
    expect(all(FLOAT, [-Infinity, Infinity]).result()).to.be.NaN;
    expect(all(FLOAT, [-0, -0]).result()).to.equal(0);
    expect(all(INT, [null, null]).result()).to.equal(null);
    expect(all(FLOAT, []).result()).to.equal(null);
  });

  it('rounds the midpoint once, even where a + b overflows or loses bits', () => {
    const big = 2n ** 62n + 1n;
    // 2^62 + 1.5 exactly, then one rounding: the ints are summed as bigints, not as doubles.
    expect(all(INT, [big, big + 1n]).result()).to.equal(nearestDouble(2n * big + 1n, 2n));
    expect(all(FLOAT, [1.7976931348623157e308, 1.7976931348623157e308]).result()).to.equal(1.7976931348623157e308);
    expect(all(FLOAT, [5e-324, 1e-323]).result()).to.equal(nearestDouble(exactOf(5e-324) + exactOf(1e-323), 2n * TWO_1074));
  });

  it('agrees with the oracle on random ints and stress floats', () => {
    const rng = seededRandom(7);
    for (let t = 0; t < 300; t++) {
      const ints = randomInts(rng, rng.int(1, 60));
      expect(all(INT, ints).result(), `ints ${ints.join(',')}`).to.equal(oracleMedian(ints));
      const floats = stressArray(rng, rng.int(1, 60));
      expect(Object.is(all(FLOAT, floats).result(), oracleMedian(floats)), `floats ${floats.join(',')}`).to.equal(true);
    }
  });

  it('gives the same JSON and the same bits however the values are split, merged and sent through JSON', () => {
    const rng = seededRandom(42);
    for (let t = 0; t < 200; t++) {
      const type = t % 2 === 0 ? INT : FLOAT;
      const values: (bigint | number | null)[] = type === INT ? randomInts(rng, rng.int(0, 80)) : stressArray(rng, rng.int(0, 80));
      if (rng.next() < 0.3) values.push(null);
      const agg = accumulatorOf(type);
      const whole = all(type, values);
      const ops = {
        create: () => agg.create(),
        add: (acc: Acc, v: bigint | number | null) => acc.add(v),
        merge: (into: Acc, from: Acc) => into.merge(from),
        roundTrip: (acc: Acc) => agg.fromJSON(JSON.parse(JSON.stringify(acc.toJSON()))),
      };
      for (let k = 0; k < 3; k++) {
        const merged = splitAndMerge(rng, values, ops);
        expect(merged.toJSON()).to.deep.equal(whole.toJSON());
        expect(Object.is(merged.result(), whole.result())).to.equal(true);
      }
    }
  });

  it('says how many bytes a new distinct value costs, and nothing for a repeat or a null', () => {
    const acc = accumulatorOf(INT).create();
    expect(acc.add(5n)).to.be.above(0);
    expect(acc.add(5n)).to.equal(0);
    expect(acc.add(null)).to.equal(0);
    expect(acc.add(6n)).to.be.above(0);
  });

  it('merging a state into itself doubles every count (the median stays)', () => {
    const acc = all(INT, [1n, 2n, 9n]);
    acc.merge(acc);
    expect(acc.toJSON()).to.deep.equal({ of: 'median(int)', values: [['1', 2], ['2', 2], ['9', 2]] });
    expect(acc.result()).to.equal(2);
  });

  it('reads only canonical JSON of its own kind', () => {
    const int = accumulatorOf(INT);
    expect(int.fromJSON({ of: 'median(int)', values: [['-1', 1], ['4', 3]] }).result()).to.equal(4);
    const bad = [
      [{ of: 'median(float)', values: [] }, /state of median\(int\), got that of "median\(float\)"/],
      [{ of: 'median(int)', values: [['4', 1], ['-1', 1]] }, /strictly increasing/],
      [{ of: 'median(int)', values: [['4', 1], ['4', 1]] }, /strictly increasing/],
      [{ of: 'median(int)', values: [['4', 0]] }, /count must be positive/],
      [{ of: 'median(int)', values: [['4.5', 1]] }, /integer as a decimal string/],
      [{ of: 'median(int)', values: [[4]] }, /\[value, count\] pair/],
      [{ of: 'median(int)' }, /values: expected an array/],
    ] as const;
    for (const [json, message] of bad) expect(thrown(InvalidAccumulatorJSON, () => int.fromJSON(json)).message).to.match(message);
  });

  it('refuses values of another type, other aggregates\' states and columns it cannot take', () => {
    expect(() => all(INT, [1.5])).to.throw(TypeError, /median\(int\) takes bigints, got the number 1.5/);
    const floats = all(FLOAT, [1]);
    expect(() => all(INT, [1n]).merge(floats)).to.throw(TypeError, /cannot merge median\(float\) into median\(int\)/);
    expect(() => median.create({ kind: 'string', nullable: true })).to.throw(TypeError, /int or float/);
    expect(median.accepts).to.deep.equal(['int', 'float']);
    expect(median.resultType(INT)).to.deep.equal({ kind: 'float', nullable: true });
  });
});
