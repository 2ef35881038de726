// Mergeable aggregate accumulators: count(*), count, sum, avg, min, max, count_distinct, stddev over
// typed column values (held as the ETL holds them: int, timestamp and decimal as bigints, the decimal
// unscaled; float and date as numbers; strings; booleans).
//
// An accumulator can be split anywhere: partial accumulators over any partition of the rows, merged in
// any tree shape and order, serialized to JSON and back on the way, give the same JSON and a result that
// is the same to the bit. That holds because every state is exact and order-free, and the one rounding
// of a result happens last, from exact values:
//
//   count, count_distinct   exact (count_distinct keeps the set of distinct values; -0 and +0 are one
//                           value, all NaNs are one value, as in DuckDB)
//   sum of int, decimal     exact bigint (decimal: unscaled, at the column's scale; no precision limit)
//   sum of float            the exact sum, rounded once to the nearest double (ties to even)
//   avg                     exact sum / count, rounded once to the nearest double
//   stddev                  sample standard deviation sqrt((n·Σx² − (Σx)²) / (n(n−1))) from exact Σx and
//                           Σx² (floats: squares split without error, see exact-square-sum.ts), with the
//                           square root rounded once. null for fewer than two values. Any NaN or
//                           infinite input gives NaN, and values near the top of the double range
//                           still give their finite stddev (DuckDB raises "out of range" for both).
//                           DuckDB's streaming algorithm rounds at every row, so it may differ in the
//                           last bits.
//   min, max                exact, by a total order: floats -Infinity < ... < -0 < +0 < ... < Infinity
//                           < NaN (NaN last as in DuckDB; DuckDB returns whichever zero came first,
//                           which would depend on the partitioning); strings by code point (UTF-8
//                           byte order, as DuckDB); false < true
//
// Nulls are skipped by everything but count(*). sum, avg, min, max of no values are null. Counts are
// numbers, exact below 2^53 rows.
import { valueBytes } from '../held-bytes';
import { AGGREGATE_FUNCTIONS, type AggregateFunction, type ColumnKind } from '../spec';
import { checkDecimalType } from './decimal';
import { ExactFloatSum } from './exact-float-sum';
import { roundRatio, roundSqrtRatio, SCALE } from './exact-rounding';
import { ExactSquareSum } from './exact-square-sum';
import {
  decodeArray,
  decodeBigInt,
  decodeBoolean,
  decodeCount,
  decodeDouble,
  decodeField,
  decodeRecord,
  decodeString,
  encodeBigInt,
  encodeDouble,
  InvalidAccumulatorJSON,
  preview,
  type JsonValue,
} from './json-codec';
import { compareBigInts, compareBooleans, compareCodePoints, compareDoubles, type Compare } from './value-order';

/** The JavaScript value of each column kind (see parquet-values.ts). */
export interface ValueByKind {
  string: string;
  int: bigint;
  float: number;
  decimal: bigint;
  bool: boolean;
  date: number;
  timestamp: bigint;
}
export type ValueOf<K extends ColumnKind> = ValueByKind[K];

/** What `result()` gives for each function over a column of kind K. */
export type ResultOf<F extends AggregateFunction, K extends ColumnKind> = F extends 'count' | 'count_distinct'
  ? number
  : F extends 'avg' | 'stddev'
    ? number | null
    : F extends 'sum'
      ? (K extends 'float' ? number : bigint) | null
      : ValueOf<K> | null;

/** The column an aggregate reads; the ETL spec's ColumnType is one. */
export interface AggregateColumn<K extends ColumnKind = ColumnKind> {
  kind: K;
  /** decimal only. */
  precision?: number;
  scale?: number;
  nullable?: boolean;
}

export interface Accumulator<V, R> {
  /**
   * Adds one row's value; null is skipped except by count(*), for which every call is a row. A state
   * that grows with the data (count_distinct) returns about how many bytes it grew by, so its holder
   * can write it out before memory runs short; a fixed-size one returns nothing.
   */
  add(value: V | null): number | void;
  /** Adds everything `other` holds (an accumulator of the same aggregate); `other` is unchanged. */
  merge(other: Accumulator<V, R>): void;
  /** The canonical state: the same values, however split and merged, give the same JSON. */
  toJSON(): JsonValue;
  result(): R;
}

export interface Aggregate<V, R> {
  /** `count(*)`, `sum(decimal(12,2))`, `min(string)`...: accumulators merge only with the same name. */
  readonly name: string;
  create(): Accumulator<V, R>;
  /** Reads what `toJSON` wrote; throws InvalidAccumulatorJSON for anything else. */
  fromJSON(json: unknown): Accumulator<V, R>;
}

/**
 * The aggregate `fn` over `column`; `column` null is count(*). Throws a TypeError for a function the
 * column kind does not support (sum of strings) and a RangeError for a bad decimal type.
 */
export function aggregate<F extends AggregateFunction, K extends ColumnKind>(
  fn: F,
  column: AggregateColumn<K> | null,
): Aggregate<ValueOf<K>, ResultOf<F, K>> {
  // The switch below builds what F and K promise; TypeScript cannot follow a runtime switch into them.
  return buildAggregate(fn, column) as Aggregate<ValueOf<K>, ResultOf<F, K>>;
}

// An aggregate of any value and result type (method parameters are bivariant, so every Aggregate is one).
type SomeAggregate = Aggregate<never, unknown>;

function buildAggregate(fn: AggregateFunction, column: AggregateColumn | null): SomeAggregate {
  if (!AGGREGATE_FUNCTIONS.includes(fn)) throw new TypeError(`unknown aggregate function ${JSON.stringify(fn)} (${AGGREGATE_FUNCTIONS.join(', ')})`);
  if (column === null) {
    if (fn !== 'count') throw new TypeError(`${fn} needs a column`);
    return new RuleAggregate('count(*)', anyValue, countRowsRules);
  }
  const name = `${fn}(${describeColumn(column)})`;
  switch (fn) {
    case 'count':
      return new RuleAggregate(name, valueCheck(column.kind), countRules);
    case 'min':
    case 'max':
      return buildExtreme(name, fn, column.kind);
    case 'count_distinct':
      return buildDistinct(name, column.kind);
    case 'sum':
    case 'avg':
    case 'stddev':
      return buildNumeric(name, fn, column);
  }
}

function describeColumn(column: AggregateColumn): string {
  if (!(column.kind in VALUE_CODECS)) throw new TypeError(`unknown column kind ${JSON.stringify(column.kind)}`);
  if (column.kind !== 'decimal') return column.kind;
  const type = { precision: column.precision ?? NaN, scale: column.scale ?? NaN };
  checkDecimalType(type);
  return `decimal(${type.precision},${type.scale})`;
}

function buildNumeric(name: string, fn: 'sum' | 'avg' | 'stddev', column: AggregateColumn): SomeAggregate {
  const kind = column.kind;
  if (kind === 'float') {
    const check = valueCheck('float');
    if (fn === 'sum') return new RuleAggregate(name, check, floatSumRules((sum) => sum.result()));
    if (fn === 'avg') return new RuleAggregate(name, check, floatSumRules((sum, n) => sum.quotient(BigInt(n))));
    return new RuleAggregate(name, check, floatMomentsRules);
  }
  if (kind !== 'int' && kind !== 'decimal') throw new TypeError(`${fn} needs a numeric column (int, float, decimal), not ${kind}`);
  const check = valueCheck(kind);
  // A decimal's bigint is its value in units of 10^-scale.
  const unit = 10n ** BigInt(column.scale ?? 0);
  if (fn === 'sum') return new RuleAggregate(name, check, bigIntSumRules((sum) => sum));
  if (fn === 'avg') return new RuleAggregate(name, check, bigIntSumRules((sum, n) => roundRatio(sum, BigInt(n) * unit)));
  return new RuleAggregate(name, check, bigIntMomentsRules(unit * unit));
}

function buildExtreme<K extends ColumnKind>(name: string, fn: 'min' | 'max', kind: K): SomeAggregate {
  const codec = VALUE_CODECS[kind];
  return new RuleAggregate(name, valueCheck(kind), extremeRules(codec, fn === 'min' ? 1 : -1));
}

function buildDistinct<K extends ColumnKind>(name: string, kind: K): SomeAggregate {
  return new RuleAggregate(name, valueCheck(kind), distinctRules(VALUE_CODECS[kind]));
}

// ---- accumulators from rules --------------------------------------------------------------------

/** How one aggregate's state starts, grows, merges, travels and ends. States are mutable objects. */
interface Rules<V, S, R> {
  empty(): S;
  /** The bytes the state grew by, when it grows with the data. */
  add(state: S, value: V): number | void;
  /** Only count(*) counts nulls. */
  addNull?(state: S): void;
  merge(into: S, from: S): void;
  encode(state: S): Record<string, JsonValue>;
  decode(json: Record<string, unknown>): S;
  result(state: S): R;
}

class RuleAggregate<V, S, R> implements Aggregate<V, R> {
  constructor(
    readonly name: string,
    readonly check: (value: V) => void,
    readonly rules: Rules<V, S, R>,
  ) {}

  create(): Accumulator<V, R> {
    return new RuleAccumulator(this, this.rules.empty());
  }

  fromJSON(json: unknown): Accumulator<V, R> {
    const record = decodeRecord(json, this.name);
    if (record.of !== this.name) throw new InvalidAccumulatorJSON(`expected the state of ${this.name}, got that of ${preview(record.of)}`);
    return new RuleAccumulator(this, this.rules.decode(record));
  }
}

class RuleAccumulator<V, S, R> implements Accumulator<V, R> {
  constructor(
    readonly aggregate: RuleAggregate<V, S, R>,
    readonly state: S,
  ) {}

  add(value: V | null): number | void {
    if (value === null) {
      this.aggregate.rules.addNull?.(this.state);
      return;
    }
    this.aggregate.check(value);
    return this.aggregate.rules.add(this.state, value);
  }

  merge(other: Accumulator<V, R>): void {
    if (!(other instanceof RuleAccumulator) || other.aggregate.name !== this.aggregate.name) {
      const otherName = other instanceof RuleAccumulator ? other.aggregate.name : 'a foreign accumulator';
      throw new TypeError(`cannot merge ${otherName} into ${this.aggregate.name}`);
    }
    // Equal names come from equal rules, so the other state has this state's shape.
    this.aggregate.rules.merge(this.state, (other as RuleAccumulator<V, S, R>).state);
  }

  toJSON(): JsonValue {
    return { of: this.aggregate.name, ...this.aggregate.rules.encode(this.state) };
  }

  result(): R {
    return this.aggregate.rules.result(this.state);
  }
}

// ---- values of each column kind -----------------------------------------------------------------

interface ValueCodec<V> {
  /** `typeof` of the values, checked on add: a double in an int column would be silently inexact. */
  jsType: 'bigint' | 'number' | 'string' | 'boolean';
  compare: Compare<V>;
  encode(value: V): JsonValue;
  decode(json: unknown): V;
}

const BIGINT_VALUES: ValueCodec<bigint> = { jsType: 'bigint', compare: compareBigInts, encode: encodeBigInt, decode: decodeBigInt };
const DOUBLE_VALUES: ValueCodec<number> = { jsType: 'number', compare: compareDoubles, encode: encodeDouble, decode: decodeDouble };
const STRING_VALUES: ValueCodec<string> = { jsType: 'string', compare: compareCodePoints, encode: (v) => v, decode: decodeString };
const BOOLEAN_VALUES: ValueCodec<boolean> = { jsType: 'boolean', compare: compareBooleans, encode: (v) => v, decode: decodeBoolean };

const VALUE_CODECS: { [K in ColumnKind]: ValueCodec<ValueByKind[K]> } = {
  string: STRING_VALUES,
  int: BIGINT_VALUES,
  float: DOUBLE_VALUES,
  decimal: BIGINT_VALUES,
  bool: BOOLEAN_VALUES,
  date: DOUBLE_VALUES,
  timestamp: BIGINT_VALUES,
};

function valueCheck<K extends ColumnKind>(kind: K): (value: ValueOf<K>) => void {
  const jsType = VALUE_CODECS[kind].jsType;
  return (value) => {
    if (typeof value !== jsType) throw new TypeError(`${kind} values must be ${jsType}s, got the ${typeof value} ${String(value)}`);
  };
}

function anyValue(): void {}

// ---- the rules of each function -----------------------------------------------------------------

interface Count {
  n: number;
}

const countRules: Rules<unknown, Count, number> = {
  empty: () => ({ n: 0 }),
  add: (state) => {
    state.n++;
  },
  merge: (into, from) => {
    into.n += from.n;
  },
  encode: (state) => ({ n: state.n }),
  decode: (json) => ({ n: decodeField(json, 'n', decodeCount) }),
  result: (state) => state.n,
};

const countRowsRules: Rules<unknown, Count, number> = {
  ...countRules,
  addNull: (state) => {
    state.n++;
  },
};

interface BigIntSum {
  n: number;
  sum: bigint;
}

function bigIntSumRules<R>(finish: (sum: bigint, n: number) => R): Rules<bigint, BigIntSum, R | null> {
  return {
    empty: () => ({ n: 0, sum: 0n }),
    add: (state, value) => {
      state.n++;
      state.sum += value;
    },
    merge: (into, from) => {
      into.n += from.n;
      into.sum += from.sum;
    },
    encode: (state) => ({ n: state.n, sum: encodeBigInt(state.sum) }),
    decode: (json) => ({ n: decodeField(json, 'n', decodeCount), sum: decodeField(json, 'sum', decodeBigInt) }),
    result: (state) => (state.n === 0 ? null : finish(state.sum, state.n)),
  };
}

interface FloatSum {
  n: number;
  sum: ExactFloatSum;
}

function floatSumRules(finish: (sum: ExactFloatSum, n: number) => number): Rules<number, FloatSum, number | null> {
  return {
    empty: () => ({ n: 0, sum: new ExactFloatSum() }),
    add: (state, value) => {
      state.n++;
      state.sum.add(value);
    },
    merge: (into, from) => {
      into.n += from.n;
      into.sum.merge(from.sum);
    },
    encode: (state) => ({ n: state.n, sum: state.sum.toJSON() }),
    decode: (json) => ({ n: decodeField(json, 'n', decodeCount), sum: decodeField(json, 'sum', ExactFloatSum.fromJSON) }),
    result: (state) => (state.n === 0 ? null : finish(state.sum, state.n)),
  };
}

interface BigIntMoments {
  n: number;
  sum: bigint;
  squares: bigint;
}

/** `unitSquared`: Σx² is `squares / unitSquared` (10^2s for decimal(p,s)). */
function bigIntMomentsRules(unitSquared: bigint): Rules<bigint, BigIntMoments, number | null> {
  return {
    empty: () => ({ n: 0, sum: 0n, squares: 0n }),
    add: (state, value) => {
      state.n++;
      state.sum += value;
      state.squares += value * value;
    },
    merge: (into, from) => {
      into.n += from.n;
      into.sum += from.sum;
      into.squares += from.squares;
    },
    encode: (state) => ({ n: state.n, sum: encodeBigInt(state.sum), squares: encodeBigInt(state.squares) }),
    decode: (json) => ({
      n: decodeField(json, 'n', decodeCount),
      sum: decodeField(json, 'sum', decodeBigInt),
      squares: decodeField(json, 'squares', decodeBigInt),
    }),
    result: (state) => (state.n < 2 ? null : sampleStddev(state.n, state.sum, state.squares, unitSquared)),
  };
}

interface FloatMoments {
  n: number;
  sum: ExactFloatSum;
  squares: ExactSquareSum;
}

const floatMomentsRules: Rules<number, FloatMoments, number | null> = {
  empty: () => ({ n: 0, sum: new ExactFloatSum(), squares: new ExactSquareSum() }),
  add: (state, value) => {
    state.n++;
    state.sum.add(value);
    if (Number.isFinite(value)) state.squares.add(value);
  },
  merge: (into, from) => {
    into.n += from.n;
    into.sum.merge(from.sum);
    into.squares.merge(from.squares);
  },
  encode: (state) => ({ n: state.n, sum: state.sum.toJSON(), squares: state.squares.toJSON() }),
  decode: (json) => ({
    n: decodeField(json, 'n', decodeCount),
    sum: decodeField(json, 'sum', ExactFloatSum.fromJSON),
    squares: decodeField(json, 'squares', ExactSquareSum.fromJSON),
  }),
  result: (state) => {
    if (state.n < 2) return null;
    if (state.sum.specialValue() !== null) return NaN;
    // Σx is exactScaled / 2^1074 and Σx² is exactScaled / 2^2148.
    return sampleStddev(state.n, state.sum.exactScaled(), state.squares.exactScaled(), SCALE * SCALE);
  },
};

/**
 * The sample standard deviation of n values whose sum is `sum / unit` and sum of squares
 * `squares / unit²`: sqrt((n·Σx² − (Σx)²) / (n(n−1))) with everything under the root exact, so the
 * root's rounding is the only one.
 */
function sampleStddev(n: number, sum: bigint, squares: bigint, unitSquared: bigint): number {
  const count = BigInt(n);
  return roundSqrtRatio(count * squares - sum * sum, count * (count - 1n) * unitSquared);
}

interface Extreme<V> {
  value: V | null;
}

/** `sign` 1 keeps the least value (min), -1 the greatest (max). */
function extremeRules<V>(codec: ValueCodec<V>, sign: 1 | -1): Rules<V, Extreme<V>, V | null> {
  const keep = (state: Extreme<V>, value: V) => {
    if (state.value === null || sign * codec.compare(value, state.value) < 0) state.value = value;
  };
  return {
    empty: () => ({ value: null }),
    add: keep,
    merge: (into, from) => {
      if (from.value !== null) keep(into, from.value);
    },
    encode: (state) => ({ value: state.value === null ? null : codec.encode(state.value) }),
    decode: (json) => ({ value: decodeField(json, 'value', (v) => (v === null ? null : codec.decode(v))) }),
    result: (state) => state.value,
  };
}

interface Distinct<V> {
  values: Set<V>;
}

// A Set stores -0 as +0 and finds NaN equal to NaN, which is exactly DuckDB's DISTINCT on doubles.
function distinctRules<V>(codec: ValueCodec<V>): Rules<V, Distinct<V>, number> {
  return {
    empty: () => ({ values: new Set<V>() }),
    add: (state, value) => {
      const before = state.values.size;
      state.values.add(value);
      return state.values.size > before ? valueBytes(value) : 0;
    },
    merge: (into, from) => {
      for (const value of from.values) into.values.add(value);
    },
    encode: (state) => ({ values: [...state.values].sort(codec.compare).map(codec.encode) }),
    decode: (json) => ({ values: new Set(decodeField(json, 'values', (v) => decodeArray(v, codec.decode))) }),
    result: (state) => state.values.size,
  };
}
