// What an ETL job shows while it runs (`longhaul run`, the progress table's `figures`): rows read and rows
// rejected so far, added by every transform turn (transform.ts). Declared once, for the handler that adds
// them and the pipeline that shows them.
import type { JobFigures } from '../lib/progress';
import type { LiveFigure } from '../pipeline';
import type { TransformCounts } from './transform-partition';

export const etlLiveFigures = [
  { name: 'rowsIn', label: 'rows', rate: true },
  { name: 'rowsRejected', label: 'rejects' },
] as const satisfies readonly (LiveFigure & { name: keyof TransformCounts })[];

/** The live figures among a partition's counts. */
export function liveFiguresOf(counts: TransformCounts): JobFigures {
  return Object.fromEntries(etlLiveFigures.map((f) => [f.name, counts[f.name]]));
}
