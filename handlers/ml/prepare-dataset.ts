// Prepare's work, as a plain function the Prepare handler wraps: the job's input object → checks →
// seeded split → preprocessing fitted on train → Float32 shards, preprocessing.json and the layout in
// S3 (dataset-keys.ts), written in that order: the layout, written last, is the mark of a complete
// dataset, and every key is deterministic, so a retried Prepare overwrites instead of duplicating.
import { putJson } from '../lib/s3';
import { parseEvent } from '../lib/validation';
import { datasetLayoutSchema, type DatasetLayout, type MlTask } from './dataset-layout';
import type { DatasetTable } from './dataset-columns';
import { checkDataset, checkTrainRows, planColumns } from './dataset-checks';
import { datasetKeys, SPLIT_NAMES, type SplitName } from './dataset-keys';
import { openDataset, type DatasetFormat } from './dataset-read';
import { datasetRequestSchema, type DatasetRequest, type ResolvedDatasetRequest } from './dataset-request';
import { splitRows } from './dataset-split';
import type { RawRow, RawValue } from './dataset-values';
import { emptyTally, encodeLabels, encodeRows, fitPreprocessing, type EncodeTally, type Preprocessing } from './preprocessing';
import type { ShardData } from './shard-format';
import { writeShards, type ShardSource } from './shard-store';

export interface PrepareInput {
  jobId: string;
  /** The dataset object in the job bucket (CSV or Parquet, by extension unless `format` says). */
  input: { key: string; format?: DatasetFormat };
  dataset: DatasetRequest;
}

/** Small enough for a state payload: counts and names, never rows. */
export interface PrepareSummary {
  task: MlTask;
  /** Data rows in the file. */
  rowsRead: number;
  /** Rows with a label: what the splits share. */
  rowsUsed: number;
  /** Rows dropped because their label is missing, and the first few of their row numbers. */
  rowsDroppedMissingLabel: number;
  droppedRowsSample: number[];
  /** Missing feature values imputed from the training split, per feature, over all used rows. */
  imputed: Record<string, number>;
  /** Validation and test values of a categorical feature that training never saw (encoded as zeros). */
  unseenLevels: Record<string, number>;
  /** Classification: the classes, sorted (a label's index here is its target); regression: empty. */
  classes: string[];
  width: number;
  features: string[];
  splits: Record<SplitName, number>;
  shardRows: number;
  layoutKey: string;
  preprocessingKey: string;
}

/** Shards of about this many bytes: a few per split for small data, one GET each for a train task. */
const TARGET_SHARD_BYTES = 4 * 1024 * 1024;

/** Rows per shard: about TARGET_SHARD_BYTES, rounded down to whole batches (so no batch spans two shards). */
export function defaultShardRows(width: number, batchSize: number): number {
  const rows = Math.max(1, Math.floor(TARGET_SHARD_BYTES / (4 * (width + 2))));
  return rows >= batchSize ? rows - (rows % batchSize) : rows;
}

/** The raw rows of table indices `rows` (what encodeRows takes), over the columns named. */
function rawRows(table: DatasetTable, names: readonly string[], rows: ArrayLike<number>): RawRow[] {
  const getters = names.map((name) => {
    const c = table.columns.get(name)!;
    const get: (i: number) => RawValue =
      c.kind === 'numeric' ? (i) => (Number.isNaN(c.values[i]!) ? null : c.values[i]!) : (i) => (c.codes[i]! < 0 ? null : c.levels[c.codes[i]!]!);
    return [name, get] as const;
  });
  return Array.from({ length: rows.length }, (_, r) => {
    const i = rows[r]!;
    const row: Record<string, RawValue> = {};
    for (const [name, get] of getters) row[name] = get(i);
    return row;
  });
}

function splitSource(table: DatasetTable, p: Preprocessing, rows: Int32Array, tally: EncodeTally): ShardSource {
  const names = [...p.features.map((f) => f.name), p.label.name];
  return {
    rows: rows.length,
    width: p.width,
    slice(start, end): ShardData {
      const part = rows.subarray(start, end);
      const raw = rawRows(table, names, part);
      const rowNumbers = Uint32Array.from(part, (i) => table.rowNumbers[i]!);
      const opts = { tally, rowNumbers, source: table.source };
      return { rows: part.length, width: p.width, features: encodeRows(p, raw, opts), labels: encodeLabels(p, raw, opts), rowNumbers };
    },
  };
}

export async function prepareDataset(input: PrepareInput): Promise<PrepareSummary> {
  const request: ResolvedDatasetRequest = parseEvent(datasetRequestSchema, input.dataset);
  const file = await openDataset(input.input);
  const plan = planColumns(file, request);
  const table = await file.read([plan.label, ...plan.features]);
  const checked = checkDataset(table, plan, request);

  const split = splitRows(checked.used.length, request.seed, request.split, checked.classIndex);
  checkTrainRows(split.train.length, checked.used.length, request, checked.dropped.count, file.source);
  const toTable = (s: Int32Array) => Int32Array.from(s, (k) => checked.used[k]!);
  const rows: Record<SplitName, Int32Array> = { train: toTable(split.train), validation: toTable(split.validation), test: toTable(split.test) };

  const preprocessing = fitPreprocessing({
    task: checked.task,
    features: plan.features.map((f) => table.columns.get(f.name)!),
    label: { name: plan.label.name, kind: checked.labelKind, classes: checked.classes },
    trainRows: rows.train,
    rowNumbers: table.rowNumbers,
    source: file.source,
  });

  const shardRows = request.shardRows ?? defaultShardRows(preprocessing.width, request.batchSize);
  const tally = emptyTally(preprocessing);
  const layout: DatasetLayout = {
    task: checked.task,
    width: preprocessing.width,
    classes: checked.classes.length,
    shardRows,
    train: { rows: 0, shards: [] },
    validation: { rows: 0, shards: [] },
    test: { rows: 0, shards: [] },
  };
  for (const name of SPLIT_NAMES) {
    const shards = await writeShards((i) => datasetKeys.shard(input.jobId, name, i), splitSource(table, preprocessing, rows[name], tally), shardRows);
    layout[name] = { rows: rows[name].length, shards };
  }
  const preprocessingKey = datasetKeys.preprocessing(input.jobId);
  const layoutKey = datasetKeys.layout(input.jobId);
  await putJson(preprocessingKey, preprocessing);
  await putJson(layoutKey, datasetLayoutSchema.parse(layout));

  return {
    task: checked.task,
    rowsRead: table.rows,
    rowsUsed: checked.used.length,
    rowsDroppedMissingLabel: checked.dropped.count,
    droppedRowsSample: checked.dropped.sampleRows,
    imputed: tally.imputed,
    unseenLevels: tally.unseen,
    classes: checked.classes,
    width: preprocessing.width,
    features: preprocessing.features.map((f) => f.name),
    splits: { train: rows.train.length, validation: rows.validation.length, test: rows.test.length },
    shardRows,
    layoutKey,
    preprocessingKey,
  };
}
