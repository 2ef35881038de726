// The spec's `where` as one predicate over a typed row. SQL's rules: a comparison with null is not true
// (the row is filtered out), `is_null` and `not_null` test for it; values compare in their column's own
// order (strings by code point, floats with NaN above everything, as DuckDB orders them).
import { InvalidInput } from '../lib/errors';
import { compareBigInts, compareBooleans, compareCodePoints, compareDoubles } from './aggregate/value-order';
import type { EtlValue } from './parquet-values';
import type { ColumnKind, Condition, EtlSpec } from './spec';
import { parseLiteral } from './typed-values';

type NonNull = Exclude<EtlValue, null>;
export type RowPredicate = (row: readonly EtlValue[]) => boolean;

/** The order of a column kind's values (the caller passes two values of that kind). */
export function compareValues(kind: ColumnKind, a: NonNull, b: NonNull): number {
  switch (kind) {
    case 'string':
      return compareCodePoints(a as string, b as string);
    case 'int':
    case 'decimal':
    case 'timestamp':
      return compareBigInts(a as bigint, b as bigint);
    case 'float':
    case 'date':
      return compareDoubles(a as number, b as number);
    case 'bool':
      return compareBooleans(a as boolean, b as boolean);
  }
}

const TESTS: Record<Exclude<Condition['op'], 'in' | 'not_in' | 'is_null' | 'not_null'>, (order: number) => boolean> = {
  '=': (o) => o === 0,
  '!=': (o) => o !== 0,
  '<': (o) => o < 0,
  '<=': (o) => o <= 0,
  '>': (o) => o > 0,
  '>=': (o) => o >= 0,
};

function literal(spec: EtlSpec, at: string, column: number, value: string | number | boolean): NonNull {
  const type = spec.rowColumns[column]!.type;
  const parsed = parseLiteral(value, type);
  if (!parsed.ok || parsed.value === null) {
    throw new InvalidInput(`spec.${at}: ${parsed.ok ? 'null' : parsed.reason} cannot be compared with the ${type.kind} column ${spec.rowColumns[column]!.name}`, { field: `spec.${at}` });
  }
  return parsed.value;
}

function compileCondition(spec: EtlSpec, c: Condition, i: number): RowPredicate {
  const index = spec.rowColumns.findIndex((col) => col.name === c.column);
  const kind = spec.rowColumns[index]!.type.kind;
  const at = `where[${i}].value`;
  switch (c.op) {
    case 'is_null':
      return (row) => row[index] === null;
    case 'not_null':
      return (row) => row[index] !== null;
    case 'in':
    case 'not_in': {
      const values = (c.value as (string | number | boolean)[]).map((v, k) => literal(spec, `${at}[${k}]`, index, v));
      const member = (v: NonNull) => values.some((x) => compareValues(kind, v, x) === 0);
      return c.op === 'in' ? (row) => row[index] !== null && member(row[index]!) : (row) => row[index] !== null && !member(row[index]!);
    }
    default: {
      const value = literal(spec, at, index, c.value as string | number | boolean);
      const test = TESTS[c.op];
      return (row) => row[index] !== null && test(compareValues(kind, row[index]!, value));
    }
  }
}

/** All conditions must hold. Literals that do not fit their column are an InvalidInput naming them. */
export function compileWhere(spec: EtlSpec): RowPredicate {
  const conditions = spec.where.map((c, i) => compileCondition(spec, c, i));
  return (row) => conditions.every((test) => test(row));
}
