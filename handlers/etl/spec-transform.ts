// The spec as a RowTransform, the one a partition applies to each typed row: the spec's transform module
// (if it names one), then its `where`. Its rows are the spec's rowColumns.
import { FILTERED, chainTransforms, type RowTransform } from './row-transform';
import { moduleTransform } from './module-transform';
import { compileWhere } from './row-filter';
import type { EtlSpec } from './spec';
import { TRANSFORMS } from './transforms';

/** `where` over the rows after the module: a row it does not hold is FILTERED. */
function whereTransform(spec: EtlSpec): RowTransform {
  const holds = compileWhere(spec);
  return { name: 'where', columns: spec.rowColumns, apply: (row) => (holds(row) ? row : FILTERED) };
}

export function specTransform(spec: EtlSpec): RowTransform {
  const steps: RowTransform[] = [];
  if (spec.transform !== null) steps.push(moduleTransform(TRANSFORMS.get(spec.transform)!, spec.columns));
  if (spec.where.length > 0) steps.push(whereTransform(spec));
  return chainTransforms('spec', steps, spec.rowColumns);
}
