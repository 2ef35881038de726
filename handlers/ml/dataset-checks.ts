// The dataset's checks before any training, each an InvalidInput naming the column and a row, so a bad
// file fails in seconds at Prepare rather than hours into training or with a meaningless model.
// Two stages: against the file's header (the columns asked for exist) before reading, and against the
// values once read. Read-time checks (NaN or infinity in a numeric column, text in a column the job
// says is numeric, wrong field counts) are in dataset-columns.ts and dataset-read.ts.
import { InvalidInput } from '../lib/errors';
import type { MlTask } from './dataset-layout';
import { MAX_LEVELS, type CategoricalColumn, type ColumnKind, type DatasetColumn, type DatasetTable } from './dataset-columns';
import type { ColumnRequest, DatasetFile } from './dataset-read';
import { featureName, type ResolvedDatasetRequest } from './dataset-request';
import { ordinal } from './dataset-values';
import { classOf, sortClasses } from './preprocessing';

/** Most classes a numeric label may have: more, and it is almost surely a quantity (regression). */
export const MAX_NUMERIC_CLASSES = 100;

/** Row numbers of dropped rows kept for the summary (the count is always exact). */
const DROPPED_SAMPLE = 10;

export interface ColumnPlan {
  label: ColumnRequest;
  features: ColumnRequest[];
}

/** The columns to read; InvalidInput when the label or a feature is not in the file (listing its columns). */
export function planColumns(file: Pick<DatasetFile, 'columns' | 'source' | 'format'>, request: ResolvedDatasetRequest): ColumnPlan {
  const { source, columns: fileColumns } = file;
  const list = fileColumns.map((c) => JSON.stringify(c)).join(', ');
  const where = file.format === 'csv' ? `the header (row 1) of ${source}` : `the schema of ${source}`;
  const row = file.format === 'csv' ? 1 : undefined;
  const { label } = request;
  if (!fileColumns.includes(label)) {
    throw new InvalidInput(`The label column "${label}" is not in ${where}; its columns: ${list}`, { field: label, row, key: source });
  }
  const requested = request.features ?? fileColumns.filter((c) => c !== label);
  const features: ColumnRequest[] = [];
  const seen = new Set<string>();
  for (const f of requested) {
    const name = featureName(f);
    if (name === label) throw new InvalidInput(`"${name}" is the label: it cannot also be a feature`, { field: name });
    if (seen.has(name)) throw new InvalidInput(`Feature "${name}" is listed twice`, { field: name });
    if (!fileColumns.includes(name)) {
      throw new InvalidInput(`The feature column "${name}" is not in ${where}; its columns: ${list}`, { field: name, row, key: source });
    }
    seen.add(name);
    features.push(typeof f === 'string' || f.kind === undefined ? { name } : { name, kind: f.kind });
  }
  if (features.length === 0) throw new InvalidInput(`${source} has no column besides the label "${label}" to learn from`, { field: label, key: source });
  // A regression label must be a number; reading it as one makes the first text fail with its row.
  return { label: request.task === 'regression' ? { name: label, kind: 'numeric' } : { name: label }, features };
}

/** The rows to use and what the label makes of them. */
export interface CheckedDataset {
  task: MlTask;
  labelKind: ColumnKind;
  /** Table row indices of the rows with a label, in file order. */
  used: Int32Array;
  /** Rows without a label: dropped, and counted. */
  dropped: { count: number; sampleRows: number[] };
  /** Classification: the sorted classes; regression: empty. */
  classes: string[];
  /** Classification: each used row's class index (for the stratified split); regression: undefined. */
  classIndex?: Int32Array;
}

/** Checks the values read against the job; see the top of this file. */
export function checkDataset(table: DatasetTable, plan: ColumnPlan, request: ResolvedDatasetRequest): CheckedDataset {
  const { source } = table;
  const at = (i: number) => table.rowNumbers[i]!;
  for (const f of plan.features) {
    const column = table.columns.get(f.name)!;
    if (column.kind === 'categorical' && column.levels.length > MAX_LEVELS) {
      throw new InvalidInput(
        `Feature "${f.name}" is categorical with ${column.levels.length} distinct values (the ${ordinal(MAX_LEVELS + 1)} first appears at row ${column.levelLimitRow}): at most ${MAX_LEVELS} levels are allowed, each being one model input; leave it out of the features${column.firstText ? ` (it is not numeric because of row ${column.firstText.row}: ${JSON.stringify(column.firstText.text)})` : ''} (${source})`,
        { field: f.name, row: column.levelLimitRow, key: source },
      );
    }
  }

  const label = table.columns.get(plan.label.name)!;
  const present = (i: number) => (label.kind === 'numeric' ? !Number.isNaN(label.values[i]!) : label.codes[i]! >= 0);
  const used: number[] = [];
  const sampleRows: number[] = [];
  for (let i = 0; i < table.rows; i++) {
    if (present(i)) used.push(i);
    else if (sampleRows.length < DROPPED_SAMPLE) sampleRows.push(at(i));
  }
  const dropped = { count: table.rows - used.length, sampleRows };
  if (used.length === 0) {
    throw new InvalidInput(`The label "${label.name}" is missing in every one of the ${table.rows} rows (e.g. row ${at(0)}) (${source})`, { field: label.name, row: at(0), key: source });
  }

  const task: MlTask = request.task ?? (label.kind === 'numeric' ? 'regression' : 'classification');
  if (task === 'regression') {
    // planColumns read it as numeric when the task was given; an inferred task is regression only when numeric.
    return { task, labelKind: 'numeric', used: Int32Array.from(used), dropped, classes: [] };
  }
  return { task, labelKind: label.kind, used: Int32Array.from(used), dropped, ...classesOf(label, used, table) };
}

// The classes come from every labelled row, not train alone: a class the split left out of train must
// still encode in validation and test (the stratified split gives every class of 3 rows or more to all
// three), and the set of classes says nothing about any row's features.
function classesOf(label: DatasetColumn, used: readonly number[], table: DatasetTable): { classes: string[]; classIndex: Int32Array } {
  const { source } = table;
  const at = (i: number) => table.rowNumbers[i]!;
  // The class of each used row, and the row where each class first appears.
  const names = label.kind === 'numeric' ? used.map((i) => classOf(label.values[i]!, 'numeric')!) : used.map((i) => (label as CategoricalColumn).levels[label.codes[i]!]!);
  const firstRow = new Map<string, number>();
  names.forEach((c, k) => {
    if (!firstRow.has(c)) firstRow.set(c, at(used[k]!));
  });
  const limit = label.kind === 'numeric' ? MAX_NUMERIC_CLASSES : MAX_LEVELS;
  if (firstRow.size > limit) {
    const row = [...firstRow.values()][limit]!;
    const hint = label.kind === 'numeric' ? ': a numeric label with this many values is a quantity, so use task "regression"' : '';
    throw new InvalidInput(
      `The label "${label.name}" has ${firstRow.size} distinct ${label.kind} values (the ${ordinal(limit + 1)} first appears at row ${row}), more than the ${limit} classes classification allows${hint} (${source})`,
      { field: label.name, row, key: source },
    );
  }
  if (firstRow.size < 2) {
    const [only, row] = [...firstRow.entries()][0]!;
    throw new InvalidInput(
      `The label "${label.name}" has a single class, ${JSON.stringify(only)}, in all ${used.length} rows that have one (from row ${row}): classification needs at least 2 (${source})`,
      { field: label.name, row, key: source },
    );
  }
  const classes = sortClasses(firstRow.keys(), label.kind);
  const index = new Map(classes.map((c, i) => [c, i]));
  return { classes, classIndex: Int32Array.from(names, (c) => index.get(c)!) };
}

/** InvalidInput when the training split cannot fill one batch. */
export function checkTrainRows(trainRows: number, usedRows: number, request: ResolvedDatasetRequest, dropped: number, source: string): void {
  if (trainRows >= request.batchSize) return;
  throw new InvalidInput(
    `${source} has ${usedRows} rows with a label "${request.label}" (${dropped} dropped without one), which leaves ${trainRows} to train on: fewer than one batch of ${request.batchSize}; use more rows or a smaller batch size`,
    { field: request.label, key: source, batchSize: request.batchSize },
  );
}
