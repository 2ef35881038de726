// Groups and their partial aggregates, in memory for a while, then written out hash-partitioned into
// buckets, each bucket's groups sorted in output order: every group lands in the same bucket from every
// partition, so each reduce task merges its bucket's sorted runs alone (reduce-bucket.ts).
import { createHash } from 'node:crypto';
import type { Accumulator, Aggregate } from './aggregate/aggregates';
import { decodeDouble, encodeDouble, type JsonValue } from './aggregate/json-codec';
import type { EtlValue } from './parquet-values';
import { compareValues } from './row-filter';
import type { ColumnKind, ColumnType, EtlSpec } from './spec';
import { aggregateOf } from './spec-aggregates';

type AnyAggregate = Aggregate<never, unknown>;
type AnyAccumulator = Accumulator<never, unknown>;

/** A group's values as JSON: bigints as strings, doubles as encodeDouble (with -0 as 0: one group). */
export type EncodedGroup = JsonValue[];

export interface GroupEntry {
  group: EncodedGroup;
  /** One accumulator state per spec aggregate, in spec order. */
  states: JsonValue[];
}

export interface AggregatePlan {
  groupKinds: ColumnKind[];
  /** For each group column, its index in the typed row. */
  groupIndexes: number[];
  /** For each spec aggregate, its index in the typed row (null: count(*)). */
  valueIndexes: (number | null)[];
  aggregates: AnyAggregate[];
}

export function aggregatePlan(spec: EtlSpec): AggregatePlan {
  const indexOf = (name: string) => spec.rowColumns.findIndex((c) => c.name === name);
  const typeOf = (name: string): ColumnType => spec.rowColumns[indexOf(name)]!.type;
  return {
    groupKinds: spec.groupBy.map((name) => typeOf(name).kind),
    groupIndexes: spec.groupBy.map(indexOf),
    valueIndexes: spec.aggregates.map((a) => (a.column === null ? null : indexOf(a.column))),
    aggregates: spec.aggregates.map((a) => aggregateOf(spec, a)),
  };
}

export function encodeGroupValue(v: EtlValue): JsonValue {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return encodeDouble(v === 0 ? 0 : v);
  return v;
}

export function decodeGroupValue(kind: ColumnKind, v: JsonValue): EtlValue {
  if (v === null) return null;
  if (kind === 'int' || kind === 'decimal' || kind === 'timestamp') return BigInt(v as string);
  if (kind === 'float' || kind === 'date') return decodeDouble(v);
  return v as string | boolean;
}

/** Group order for the output: column by column, each in its kind's order, nulls last (as DuckDB sorts). */
export function compareDecodedGroups(kinds: readonly ColumnKind[], a: readonly EtlValue[], b: readonly EtlValue[]): number {
  for (let i = 0; i < kinds.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
      continue;
    }
    const order = compareValues(kinds[i]!, x, y);
    if (order !== 0) return order;
  }
  return 0;
}

/** The bucket of a group: a stable hash of its encoded values. */
export function bucketOf(key: string, buckets: number): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) % buckets;
}

interface GroupState {
  group: EncodedGroup;
  accumulators: AnyAccumulator[];
}

/**
 * The groups by their JSON key (what drain hashes and sorts), with what GroupTable.add keeps beside
 * them: with at most one group column, the groups by that value (a Map finds -0 as 0 and NaN as NaN,
 * as the key does), so no key is built per row; and the bytes its states grew by. Clearing the map
 * (drain) clears both.
 */
class GroupIndex extends Map<string, GroupState> {
  byValue = new Map<EtlValue | undefined, GroupState>();
  bytes = 0;

  override clear(): void {
    this.byValue.clear();
    this.bytes = 0;
    super.clear();
  }
}

/** Groups seen since the last drain, with their accumulators. */
export class GroupTable {
  private groups = new GroupIndex();

  constructor(private readonly plan: AggregatePlan) {}

  get size(): number {
    return this.groups.size;
  }

  /**
   * About how many bytes the states have grown by beyond their fixed size (count_distinct's values):
   * what the number of groups does not bound.
   */
  get grownBytes(): number {
    return this.groups.bytes;
  }

  add(row: readonly EtlValue[]): void {
    const { groupIndexes, valueIndexes } = this.plan;
    const groups = this.groups;
    const byValue = groupIndexes.length <= 1;
    const value = groupIndexes.length === 1 ? row[groupIndexes[0]!] : undefined;
    let entry = byValue ? groups.byValue.get(value) : undefined;
    if (!entry) {
      const group = groupIndexes.map((i) => encodeGroupValue(row[i]!));
      const key = JSON.stringify(group);
      entry = groups.get(key);
      if (!entry) {
        entry = { group, accumulators: this.plan.aggregates.map((a) => a.create()) };
        groups.set(key, entry);
      }
      if (byValue) groups.byValue.set(value, entry);
    }
    const accumulators = entry.accumulators;
    for (let i = 0; i < valueIndexes.length; i++) {
      const index = valueIndexes[i]!;
      const grown = accumulators[i]!.add((index === null ? 0 : row[index]) as never);
      if (grown) groups.bytes += grown;
    }
  }

  /** The groups by bucket, each bucket's in output order (a sorted run for the reduce's merge), and an empty table. */
  drain(buckets: number): Map<number, GroupEntry[]> {
    const kinds = this.plan.groupKinds;
    const byBucket = new Map<number, { values: EtlValue[]; entry: GroupEntry }[]>();
    for (const [key, { group, accumulators }] of this.groups) {
      const bucket = bucketOf(key, buckets);
      let list = byBucket.get(bucket);
      if (!list) byBucket.set(bucket, (list = []));
      list.push({ values: group.map((v, i) => decodeGroupValue(kinds[i]!, v)), entry: { group, states: accumulators.map((a) => a.toJSON()) } });
    }
    this.groups.clear();
    const sorted = new Map<number, GroupEntry[]>();
    for (const [bucket, list] of [...byBucket].sort(([a], [b]) => a - b)) {
      sorted.set(bucket, list.sort((a, b) => compareDecodedGroups(kinds, a.values, b.values)).map((x) => x.entry));
    }
    return sorted;
  }
}
