// The spec's aggregates resolved to accumulators and result types, built-in (aggregate/aggregates.ts) or
// brought by its transform module, over their columns as the rows hold them after the transform.
import { InternalError } from '../lib/errors';
import { aggregate, type Aggregate as AggregateOver } from './aggregate/aggregates';
import type { Aggregate, ColumnType, EtlSpec } from './spec';
import { TRANSFORMS } from './transforms';

export type AnyAggregate = AggregateOver<never, unknown>;

function columnType(spec: EtlSpec, name: string): ColumnType {
  const column = spec.rowColumns.find((c) => c.name === name);
  if (!column) throw new InternalError(`aggregate column ${name} is not a row column (${spec.rowColumns.map((c) => c.name).join(', ')})`);
  return column.type;
}

function moduleFunction(a: Extract<Aggregate, { module: string }>) {
  const fn = TRANSFORMS.get(a.module)?.aggregates?.[a.fn];
  if (!fn) throw new InternalError(`transform ${a.module} has no aggregate ${a.fn}`);
  return fn;
}

export function aggregateOf(spec: EtlSpec, a: Aggregate): AnyAggregate {
  if ('module' in a) return moduleFunction(a).create(columnType(spec, a.column));
  return aggregate(a.fn, a.column === null ? null : columnType(spec, a.column)) as AnyAggregate;
}

/** What each aggregate's results are: counts are ints, decimal sums keep their scale at the widest precision. */
export function resultTypeOf(spec: EtlSpec, a: Aggregate): ColumnType {
  if ('module' in a) return moduleFunction(a).resultType(columnType(spec, a.column));
  const source = a.column === null ? null : columnType(spec, a.column);
  switch (a.fn) {
    case 'count':
    case 'count_distinct':
      return { kind: 'int', nullable: false };
    case 'avg':
    case 'stddev':
      return { kind: 'float', nullable: true };
    case 'sum':
      return source!.kind === 'decimal' ? { kind: 'decimal', nullable: true, precision: 38, scale: source!.scale } : { kind: source!.kind, nullable: true };
    case 'min':
    case 'max':
      return { ...source!, nullable: true };
  }
}
