// `longhaul predict`'s work: score raw rows (CSV or Parquet) with a model folder as `longhaul run ml`
// leaves it (model/model.json, model/weights.bin, preprocessing.json). Rows go through the very
// encoder Prepare used (handlers/ml/preprocessing.ts encodeRows), so a row scores here exactly as the
// same row would have in the test split.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InputNotFound, InvalidInput } from '../../handlers/lib/errors';
import type { DatasetTable } from '../../handlers/ml/dataset-columns';
import { openDataset } from '../../handlers/ml/dataset-read';
import type { RawRow, RawValue } from '../../handlers/ml/dataset-values';
import { argmax } from '../../handlers/ml/evaluate/metrics';
import { loadModelFromDir } from '../../handlers/ml/evaluate/model-export';
import { checkInputColumns, emptyTally, encodeRows, parsePreprocessing, type EncodeTally, type Preprocessing } from '../../handlers/ml/preprocessing';

export const MODEL_SUBDIR = 'model';
export const PREPROCESSING_FILE = 'preprocessing.json';

export interface Scorer {
  /** Caller disposes it. */
  model: tf.LayersModel;
  preprocessing: Preprocessing;
}

/** Model outputs a row: the class probabilities, or the one predicted value. */
export function outputsPerRow(p: Preprocessing): number {
  return p.task === 'classification' ? p.label.classes.length : 1;
}

/** Reads and cross-checks a model folder; InputNotFound / InvalidInput naming the file at fault. */
export async function loadScorer(dir: string): Promise<Scorer> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new InputNotFound(`Model folder not found: ${dir} (expected ${MODEL_SUBDIR}/model.json, ${MODEL_SUBDIR}/weights.bin and ${PREPROCESSING_FILE}, as longhaul run ml writes them)`, { key: dir });
  const preprocessing = await readPreprocessing(join(dir, PREPROCESSING_FILE));
  const model = await loadModelFromDir(join(dir, MODEL_SUBDIR));
  const inputs = model.inputs[0]?.shape;
  const outputs = model.outputs[0]?.shape;
  const perRow = outputsPerRow(preprocessing);
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || inputs?.[1] !== preprocessing.width || outputs?.[1] !== perRow) {
    model.dispose();
    throw new InvalidInput(
      `The model in ${join(dir, MODEL_SUBDIR)} takes [${inputs?.join(', ')}] and gives [${outputs?.join(', ')}], but ${PREPROCESSING_FILE} makes ${preprocessing.width} inputs and needs ${perRow} outputs: they are not from the same job`,
      { key: dir },
    );
  }
  return { model, preprocessing };
}

async function readPreprocessing(path: string): Promise<Preprocessing> {
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw new InputNotFound(`${PREPROCESSING_FILE} not found: ${path}`, { key: path }, { cause: err });
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidInput(`${path} is not valid JSON: ${(err as Error).message}`, { key: path }, { cause: err });
  }
  return parsePreprocessing(value, path);
}

export interface Predictions {
  source: string;
  /** Each scored row's number in the file (CSV: the header is row 1), as longhaul's messages count rows. */
  rowNumbers: Float64Array;
  /** rows × outputsPerRow, row-major. */
  outputs: Float32Array;
  /** Values imputed and categorical levels unseen in training, per feature. */
  tally: EncodeTally;
}

/** Rows scored per predict call: bounds the encoded inputs and tensors whatever the file's size. */
const BATCH_ROWS = 4096;

export async function predictFile(scorer: Scorer, inputPath: string): Promise<Predictions> {
  const p = scorer.preprocessing;
  const file = await openDataset({ path: inputPath });
  checkInputColumns(p, file.columns, file.source);
  // Each column read as the kind it had in training: text in a numeric feature is refused by name.
  const table = await file.read(p.features.map((f) => ({ name: f.name, kind: f.kind })));
  const perRow = outputsPerRow(p);
  const outputs = new Float32Array(table.rows * perRow);
  const tally = emptyTally(p);
  const rawRow = rowReader(table, p.features.map((f) => f.name));
  for (let start = 0; start < table.rows; start += BATCH_ROWS) {
    const end = Math.min(table.rows, start + BATCH_ROWS);
    const raw = Array.from({ length: end - start }, (_, r) => rawRow(start + r));
    const inputs = encodeRows(p, raw, { tally, rowNumbers: table.rowNumbers.subarray(start, end), source: file.source });
    const output = tf.tidy(() => scorer.model.predict(tf.tensor2d(inputs, [end - start, p.width])) as tf.Tensor);
    try {
      outputs.set(await output.data(), start * perRow);
    } finally {
      output.dispose();
    }
  }
  return { source: file.source, rowNumbers: table.rowNumbers, outputs, tally };
}

/** Row i of the table as encodeRows takes it: missing cells null, levels as their text. */
function rowReader(table: DatasetTable, names: readonly string[]): (i: number) => RawRow {
  const getters = names.map((name) => {
    const c = table.columns.get(name)!;
    const get: (i: number) => RawValue =
      c.kind === 'numeric' ? (i) => (Number.isNaN(c.values[i]!) ? null : c.values[i]!) : (i) => (c.codes[i]! < 0 ? null : c.levels[c.codes[i]!]!);
    return [name, get] as const;
  });
  return (i) => {
    const row: Record<string, RawValue> = {};
    for (const [name, get] of getters) row[name] = get(i);
    return row;
  };
}

/**
 * The predictions as CSV: `row`, the predicted label under the label's name (the class, or the
 * value), and for classification `p(<class>)` per class. Numbers are printed with 9 significant
 * digits, enough to read back the exact float32 the model gave.
 */
export function predictionsCsv(p: Preprocessing, predictions: Predictions): string {
  const classes = p.label.classes;
  const perRow = outputsPerRow(p);
  const labelColumn = p.label.name === 'row' ? 'predicted row' : p.label.name;
  const header = ['row', labelColumn, ...(p.task === 'classification' ? classes.map((c) => `p(${c})`) : [])];
  const lines = [header.map(csvField).join(',')];
  const { rowNumbers, outputs } = predictions;
  for (let r = 0; r < rowNumbers.length; r++) {
    const at = r * perRow;
    const fields = [String(rowNumbers[r])];
    if (p.task === 'classification') {
      fields.push(csvField(classes[argmax(outputs, at, perRow)]!));
      for (let c = 0; c < perRow; c++) fields.push(float32Text(outputs[at + c]!));
    } else {
      fields.push(float32Text(outputs[at]!));
    }
    lines.push(fields.join(','));
  }
  return lines.join('\n') + '\n';
}

function float32Text(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(9))) : String(v);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) || text.trim() !== text ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line per feature with a non-zero count: what the user should know about the rows scored. */
export function tallyLines(tally: EncodeTally): string[] {
  const lines: string[] = [];
  const imputed = Object.entries(tally.imputed).filter(([, n]) => n > 0);
  const unseen = Object.entries(tally.unseen).filter(([, n]) => n > 0);
  if (imputed.length > 0) lines.push(`missing values imputed from training: ${imputed.map(([f, n]) => `${f} ${n}`).join(', ')}`);
  if (unseen.length > 0) lines.push(`categorical levels not seen in training (scored as all-zero inputs): ${unseen.map(([f, n]) => `${f} ${n}`).join(', ')}`);
  return lines;
}
