// A transform module as a step of a partition's chain: the values it reads picked out of the typed row by
// name, its map called, and its outputs appended to the row after checking each is what it declared. A
// module that breaks its own declarations (a number for an int, a null for a `!` column) would write
// wrong Parquet or trip an aggregate far from the cause, so that fails here, naming the module.
import { InternalError } from '../lib/errors';
import { INT64_MAX, INT64_MIN, type EtlValue } from './parquet-values';
import { FILTERED, Rejection, type AnyTransformModule, type RowTransform } from './row-transform';
import { declaredColumns, type ColumnType, type TypedColumn } from './spec';

const JS_TYPES = { string: 'string', int: 'bigint', decimal: 'bigint', timestamp: 'bigint', float: 'number', date: 'number', bool: 'boolean' } as const;

/** Why `value` is not a value of `type`, or null when it is. */
export function valueProblem(type: ColumnType, value: EtlValue | undefined): string | null {
  if (value === undefined) return 'no value';
  if (value === null) return type.nullable ? null : 'null in a not-null column';
  if (typeof value !== JS_TYPES[type.kind]) return `a ${typeof value} where a ${type.kind} is a ${JS_TYPES[type.kind]}`;
  if (type.kind === 'int' && ((value as bigint) < INT64_MIN || (value as bigint) > INT64_MAX)) return 'outside the 64-bit range';
  if (type.kind === 'decimal') {
    const limit = 10n ** BigInt(type.precision ?? 18);
    if ((value as bigint) <= -limit || (value as bigint) >= limit) return `more than ${type.precision} digits (the bigint is the unscaled value)`;
  }
  if (type.kind === 'date' && !Number.isInteger(value)) return 'not a whole number of days';
  return null;
}

function show(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
}

/** `module` over rows of `input` columns (the spec checked that they hold what it reads). */
export function moduleTransform(module: AnyTransformModule, input: readonly TypedColumn[]): RowTransform {
  const reads = declaredColumns(module.reads).map(({ name }) => {
    const index = input.findIndex((c) => c.name === name);
    if (index < 0) throw new InternalError(`transform ${module.name} reads ${name}, which is not a column (${input.map((c) => c.name).join(', ')})`);
    return { name, index };
  });
  const outputs = declaredColumns(module.outputs);
  return {
    name: module.name,
    columns: [...input, ...outputs],
    apply(row) {
      const named: Record<string, EtlValue> = {};
      for (const { name, index } of reads) named[name] = row[index]!;
      const out = module.map(named as Parameters<AnyTransformModule['map']>[0]);
      if (out === FILTERED || out instanceof Rejection) return out;
      const values = row.slice();
      for (const { name, type } of outputs) {
        const value = (out as Record<string, EtlValue | undefined>)[name];
        const problem = valueProblem(type, value);
        if (problem !== null) {
          const given = reads.map((r) => `${r.name}=${show(named[r.name])}`).join(', ');
          throw new InternalError(`transform ${module.name} gave ${name} = ${show(value)} for ${given}: ${problem} (declared ${type.kind}${type.nullable ? '' : '!'})`);
        }
        values.push(value!);
      }
      return values;
    },
  };
}
