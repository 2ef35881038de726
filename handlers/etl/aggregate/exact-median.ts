// median(col) for int and float columns, as an aggregate a transform module can bring: the middle value,
// or for an even count the midpoint of the two middle values rounded once to the nearest double (what
// DuckDB's median computes, without its intermediate rounding). Nulls are skipped; no values give null.
//
// Exact and order-free because the state is the multiset itself: each distinct value with its count.
// Merging adds counts, the JSON lists the values in their total order (value-order.ts), so any split
// and merge order gives the same JSON and the same result. The price is memory: a group's state grows
// with its distinct values (a float column of all-different values holds every one of them).
// -0 is counted as 0 (a Map key), NaN sorts last.
import { valueBytes } from '../held-bytes';
import type { CustomAggregate } from '../row-transform';
import type { ColumnType } from '../spec';
import type { Accumulator, Aggregate } from './aggregates';
import { doubleToScaled, roundRatio, SCALE } from './exact-rounding';
import { decodeArray, decodeBigInt, decodeCount, decodeDouble, decodeField, decodeRecord, encodeBigInt, encodeDouble, InvalidAccumulatorJSON, preview, type JsonValue } from './json-codec';
import { compareBigInts, compareDoubles, type Compare } from './value-order';

interface MedianValues<V> {
  jsType: 'bigint' | 'number';
  compare: Compare<V>;
  encode(value: V): JsonValue;
  decode(json: unknown): V;
  /** (a + b) / 2 rounded once to the nearest double. */
  midpoint(a: V, b: V): number;
}

const INT_VALUES: MedianValues<bigint> = {
  jsType: 'bigint',
  compare: compareBigInts,
  encode: encodeBigInt,
  decode: decodeBigInt,
  midpoint: (a, b) => roundRatio(a + b, 2n),
};

const FLOAT_VALUES: MedianValues<number> = {
  jsType: 'number',
  compare: compareDoubles,
  encode: encodeDouble,
  decode: decodeDouble,
  midpoint: (a, b) => {
    if (a === b || Number.isNaN(a) || Number.isNaN(b)) return a === b ? a : NaN;
    // -Infinity and Infinity average to NaN; one infinity wins over any finite value.
    if (!Number.isFinite(a) || !Number.isFinite(b)) return a + b;
    return roundRatio(doubleToScaled(a) + doubleToScaled(b), 2n * SCALE);
  },
};

class MedianAggregate<V extends bigint | number> implements Aggregate<V, number | null> {
  constructor(
    readonly name: string,
    readonly values: MedianValues<V>,
  ) {}

  create(): Accumulator<V, number | null> {
    return new MedianAccumulator(this, new Map());
  }

  fromJSON(json: unknown): Accumulator<V, number | null> {
    const record = decodeRecord(json, this.name);
    if (record.of !== this.name) throw new InvalidAccumulatorJSON(`expected the state of ${this.name}, got that of ${preview(record.of)}`);
    const pairs = decodeField(record, 'values', (v) => decodeArray(v, (pair) => this.decodePair(pair)));
    const counts = new Map<V, number>();
    pairs.forEach(([value, count], i) => {
      // Canonical JSON only: strictly increasing values, so one multiset has one text.
      if (i > 0 && this.values.compare(pairs[i - 1]![0], value) >= 0) throw new InvalidAccumulatorJSON(`values: not in strictly increasing order at ${i}`);
      counts.set(value, count);
    });
    return new MedianAccumulator(this, counts);
  }

  private decodePair(pair: unknown): [V, number] {
    if (!Array.isArray(pair) || pair.length !== 2) throw new InvalidAccumulatorJSON(`expected a [value, count] pair, got ${preview(pair)}`);
    const count = decodeCount(pair[1]);
    if (count === 0) throw new InvalidAccumulatorJSON(`a value's count must be positive, got 0`);
    return [this.values.decode(pair[0]), count];
  }
}

class MedianAccumulator<V extends bigint | number> implements Accumulator<V, number | null> {
  constructor(
    readonly aggregate: MedianAggregate<V>,
    readonly counts: Map<V, number>,
  ) {}

  /** The bytes a new distinct value costs (its key and its count), for the holder's memory budget. */
  add(value: V | null): number {
    if (value === null) return 0;
    if (typeof value !== this.aggregate.values.jsType) throw new TypeError(`${this.aggregate.name} takes ${this.aggregate.values.jsType}s, got the ${typeof value} ${String(value)}`);
    const count = this.counts.get(value);
    this.counts.set(value, (count ?? 0) + 1);
    return count === undefined ? valueBytes(value) + valueBytes(1) : 0;
  }

  merge(other: Accumulator<V, number | null>): void {
    if (!(other instanceof MedianAccumulator) || other.aggregate.name !== this.aggregate.name) {
      throw new TypeError(`cannot merge ${other instanceof MedianAccumulator ? other.aggregate.name : 'a foreign accumulator'} into ${this.aggregate.name}`);
    }
    for (const [value, count] of (other as MedianAccumulator<V>).counts) this.counts.set(value, (this.counts.get(value) ?? 0) + count);
  }

  private sorted(): [V, number][] {
    return [...this.counts].sort((a, b) => this.aggregate.values.compare(a[0], b[0]));
  }

  toJSON(): JsonValue {
    return { of: this.aggregate.name, values: this.sorted().map(([value, count]) => [this.aggregate.values.encode(value), count]) };
  }

  result(): number | null {
    const sorted = this.sorted();
    const n = sorted.reduce((sum, [, count]) => sum + count, 0);
    if (n === 0) return null;
    // The values at 0-based positions floor((n-1)/2) and ceil((n-1)/2): the same one when n is odd.
    const lowAt = Math.floor((n - 1) / 2);
    const highAt = Math.ceil((n - 1) / 2);
    let seen = 0;
    let low: V | undefined;
    for (const [value, count] of sorted) {
      seen += count;
      if (low === undefined && seen > lowAt) low = value;
      if (seen > highAt) return this.aggregate.values.midpoint(low!, value);
    }
    throw new Error('unreachable: the positions are below the count');
  }
}

/** `median(col)` for a spec whose transform module lists it among its aggregates. */
export const median: CustomAggregate = {
  accepts: ['int', 'float'],
  resultType: () => ({ kind: 'float', nullable: true }),
  create(input: ColumnType): Aggregate<never, number | null> {
    if (input.kind === 'int') return new MedianAggregate('median(int)', INT_VALUES) as Aggregate<never, number | null>;
    if (input.kind === 'float') return new MedianAggregate('median(float)', FLOAT_VALUES) as Aggregate<never, number | null>;
    throw new TypeError(`median takes an int or float column, not ${input.kind}`);
  },
};
