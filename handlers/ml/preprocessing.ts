// preprocessing.json: everything needed to turn raw rows into model inputs, fitted by Prepare on the
// training split only and read back by Evaluate and `longhaul predict`. encodeRows is the one encoder:
// Prepare writes the shards with it and predict scores with it, so a model never sees inputs prepared
// one way in training and another way in use.
//
// Per feature, in order (the model's inputs are the features' columns concatenated):
// - numeric: one input, (x - mean) / std, the train split's mean and population standard deviation
//   (a std of 0, a feature constant in train, is stored as 1: the input is then always 0); a missing
//   value is imputed with the train mean, so it encodes as 0.
// - categorical: one input per level of the train split's vocabulary (sorted), one-hot; a missing value
//   is imputed with the train split's most frequent level (the first in sorted order on a tie); a level
//   never seen in training encodes as all zeros, and is counted.
// Labels: classification, the index of the class in `classes` (sorted: numerically when the label is
// numeric); regression, the value itself.
import { z } from 'zod';
import { InternalError, InvalidInput } from '../lib/errors';
import { mlTaskSchema, type MlTask } from './dataset-layout';
import type { DatasetColumn } from './dataset-columns';
import { MISSING_MARKERS, isMissing, levelOf, numberOf, showValue, type RawRow, type RawValue } from './dataset-values';

const name = z.string().min(1);

const numericFeatureSchema = z.strictObject({
  name,
  kind: z.literal('numeric'),
  mean: z.number(),
  std: z.number().positive(),
  /** What a missing value becomes (before standardizing): the train mean. */
  impute: z.number(),
});

const categoricalFeatureSchema = z
  .strictObject({
    name,
    kind: z.literal('categorical'),
    /** The training vocabulary, sorted; input i of the feature is 1 when the value is levels[i]. */
    levels: z.array(z.string()).min(1),
    /** What a missing value becomes: the train split's most frequent level. */
    impute: z.string(),
  })
  .refine((f) => new Set(f.levels).size === f.levels.length, { message: 'levels must be distinct', path: ['levels'] })
  .refine((f) => f.levels.includes(f.impute), { message: 'impute must be one of the levels', path: ['impute'] });

const featureSchema = z.discriminatedUnion('kind', [numericFeatureSchema, categoricalFeatureSchema]);

export const PREPROCESSING_VERSION = 1;

export const preprocessingSchema = z
  .strictObject({
    version: z.literal(PREPROCESSING_VERSION),
    task: mlTaskSchema,
    /** Text that counts as missing (trimmed), besides an empty field and null. */
    missingValues: z.array(z.string()),
    features: z.array(featureSchema).min(1),
    /** Model inputs per row: 1 per numeric feature, one per level of each categorical one. */
    width: z.number().int().min(1),
    label: z.strictObject({
      name,
      /** How raw label values are read: as numbers (1 and "1.0" are one class) or as text. */
      kind: z.enum(['numeric', 'categorical']),
      /** Classification: the classes, sorted; a label encodes as its index here. Regression: empty. */
      classes: z.array(z.string()),
    }),
  })
  .superRefine((p, ctx) => {
    const width = p.features.reduce((n, f) => n + (f.kind === 'numeric' ? 1 : f.levels.length), 0);
    if (p.width !== width) ctx.addIssue({ code: 'custom', path: ['width'], message: `is ${p.width} but the features make ${width} inputs` });
    const names = p.features.map((f) => f.name);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['features'], message: 'names a feature twice' });
    if (names.includes(p.label.name)) ctx.addIssue({ code: 'custom', path: ['label', 'name'], message: 'is also a feature' });
    if (p.task === 'classification' && p.label.classes.length < 2) ctx.addIssue({ code: 'custom', path: ['label', 'classes'], message: 'classification needs at least 2 classes' });
    if (p.task === 'regression' && (p.label.classes.length > 0 || p.label.kind !== 'numeric')) ctx.addIssue({ code: 'custom', path: ['label'], message: 'regression takes a numeric label and no classes' });
    if (new Set(p.label.classes).size !== p.label.classes.length) ctx.addIssue({ code: 'custom', path: ['label', 'classes'], message: 'must be distinct' });
  });

export type Preprocessing = z.infer<typeof preprocessingSchema>;
export type FeatureEncoding = Preprocessing['features'][number];

/** Parses a stored preprocessing.json; InvalidInput naming `key` and the first bad field otherwise. */
export function parsePreprocessing(value: unknown, key: string): Preprocessing {
  const parsed = preprocessingSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidInput(`${key} is not a valid preprocessing.json: ${issue.path.join('.') || '(root)'} ${issue.message}`, { key, field: issue.path.join('.') });
  }
  return parsed.data;
}

/** The names of the model inputs, in order: `Body Mass (g)`, `Island=Biscoe`, ... */
export function inputNames(p: Preprocessing): string[] {
  return p.features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : f.levels.map((l) => `${f.name}=${l}`)));
}

/** Sorted classes: numerically for a numeric label, by code unit otherwise (not locale: the same everywhere). */
export function sortClasses(classes: Iterable<string>, kind: 'numeric' | 'categorical'): string[] {
  return [...classes].sort(kind === 'numeric' ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The class a present raw label value names: for a numeric label its number's shortest text ("1.0" is "1"). */
export function classOf(value: Exclude<RawValue, null | undefined>, kind: 'numeric' | 'categorical'): string | undefined {
  if (kind === 'categorical') return levelOf(value);
  const n = numberOf(value);
  return n === undefined || !Number.isFinite(n) ? undefined : String(n);
}

// --- fitting ---

export interface FitInput {
  task: MlTask;
  /** The feature columns, in model-input order. */
  features: readonly DatasetColumn[];
  label: { name: string; kind: 'numeric' | 'categorical'; classes: readonly string[] };
  /** Indices (into the columns' rows) of the training split: the only rows statistics come from. */
  trainRows: ArrayLike<number>;
  /** Each row's number in the file, for messages. */
  rowNumbers: ArrayLike<number>;
  source: string;
}

export function fitPreprocessing(input: FitInput): Preprocessing {
  const features = input.features.map((column) => (column.kind === 'numeric' ? fitNumeric(column, input) : fitCategorical(column, input)));
  const p: Preprocessing = {
    version: PREPROCESSING_VERSION,
    task: input.task,
    missingValues: [...MISSING_MARKERS],
    features,
    width: features.reduce((n, f) => n + (f.kind === 'numeric' ? 1 : f.levels.length), 0),
    label: { name: input.label.name, kind: input.label.kind, classes: [...input.label.classes] },
  };
  // The fitted document must be one a later task accepts: checking here turns a bug into a clear error.
  const parsed = preprocessingSchema.safeParse(p);
  if (!parsed.success) throw new InternalError(`Fitted preprocessing is invalid: ${parsed.error.message}`);
  return p;
}

function noTrainValue(column: DatasetColumn, input: FitInput): InvalidInput {
  const row = input.trainRows.length > 0 ? input.rowNumbers[input.trainRows[0]!]! : undefined;
  return new InvalidInput(
    `Feature "${column.name}" has no value in any of the ${input.trainRows.length} training rows (e.g. row ${row}), so nothing to impute or standardize it from: leave it out of the features (${input.source})`,
    { field: column.name, row, key: input.source },
  );
}

function fitNumeric(column: Extract<DatasetColumn, { kind: 'numeric' }>, input: FitInput): FeatureEncoding {
  const { values } = column;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < input.trainRows.length; i++) {
    const v = values[input.trainRows[i]!]!;
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  if (n === 0) throw noTrainValue(column, input);
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < input.trainRows.length; i++) {
    const v = values[input.trainRows[i]!]!;
    if (!Number.isNaN(v)) squares += (v - mean) * (v - mean);
  }
  const std = Math.sqrt(squares / n);
  return { name: column.name, kind: 'numeric', mean, std: std > 0 ? std : 1, impute: mean };
}

function fitCategorical(column: Extract<DatasetColumn, { kind: 'categorical' }>, input: FitInput): FeatureEncoding {
  const counts = new Float64Array(column.levels.length);
  for (let i = 0; i < input.trainRows.length; i++) {
    const code = column.codes[input.trainRows[i]!]!;
    if (code >= 0) counts[code]!++;
  }
  const seen = column.levels.filter((_, code) => counts[code]! > 0);
  if (seen.length === 0) throw noTrainValue(column, input);
  const levels = sortClasses(seen, 'categorical');
  const countOf = new Map(column.levels.map((l, code) => [l, counts[code]!]));
  let impute = levels[0]!;
  for (const l of levels) if (countOf.get(l)! > countOf.get(impute)!) impute = l;
  return { name: column.name, kind: 'categorical', levels, impute };
}

// --- encoding ---

/** Counts encodeRows adds to, per feature name: values imputed, and levels unseen in training. */
export interface EncodeTally {
  imputed: Record<string, number>;
  unseen: Record<string, number>;
}

export function emptyTally(p: Preprocessing): EncodeTally {
  return {
    imputed: Object.fromEntries(p.features.map((f) => [f.name, 0])),
    unseen: Object.fromEntries(p.features.filter((f) => f.kind === 'categorical').map((f) => [f.name, 0])),
  };
}

export interface EncodeOptions {
  /** Counts to add to (see emptyTally). */
  tally?: EncodeTally;
  /** The file's row number of each row, for messages (default: 1-based position). */
  rowNumbers?: ArrayLike<number>;
  /** The file, for messages. */
  source?: string;
}

/** InvalidInput listing the features that a file about to be scored lacks. */
export function checkInputColumns(p: Preprocessing, columns: readonly string[], source: string): void {
  const absent = p.features.map((f) => f.name).filter((n) => !columns.includes(n));
  if (absent.length > 0) {
    throw new InvalidInput(`${source} lacks the feature column(s) ${absent.map((n) => `"${n}"`).join(', ')} the model was trained on (columns: ${columns.join(', ')})`, {
      key: source,
      field: absent[0],
    });
  }
}

type Writer = (value: RawValue, out: Float32Array, base: number, row: number) => void;

function writerFor(f: FeatureEncoding, offset: number, p: Preprocessing, opts: EncodeOptions): Writer {
  const tally = opts.tally;
  const where = opts.source ? ` (${opts.source})` : '';
  if (f.kind === 'numeric') {
    return (value, out, base, row) => {
      let x: number;
      if (value === null || value === undefined || isMissing(value, p.missingValues)) {
        x = f.impute;
        if (tally) tally.imputed[f.name]!++;
      } else {
        const n = numberOf(value);
        if (n === undefined || !Number.isFinite(n)) {
          throw new InvalidInput(`Feature "${f.name}" is numeric but row ${row} holds ${showValue(value)}${n === undefined ? ', not a number' : ''}${where}`, { field: f.name, row, key: opts.source });
        }
        x = n;
      }
      out[base + offset] = (x - f.mean) / f.std;
    };
  }
  const index = new Map(f.levels.map((l, i) => [l, i]));
  const imputed = index.get(f.impute)!;
  return (value, out, base) => {
    let i: number | undefined;
    if (value === null || value === undefined || isMissing(value, p.missingValues)) {
      i = imputed;
      if (tally) tally.imputed[f.name]!++;
    } else {
      i = index.get(levelOf(value));
      if (i === undefined && tally) tally.unseen[f.name]!++;
    }
    // The caller's array starts zeroed: only the hot input is written, and none for an unseen level.
    if (i !== undefined) out[base + offset + i] = 1;
  };
}

/** Model inputs of `rows`, row-major: rows.length × p.width. */
export function encodeRows(p: Preprocessing, rows: readonly RawRow[], opts: EncodeOptions = {}): Float32Array {
  const out = new Float32Array(rows.length * p.width);
  let offset = 0;
  const writers = p.features.map((f) => {
    const w = { name: f.name, write: writerFor(f, offset, p, opts) };
    offset += f.kind === 'numeric' ? 1 : f.levels.length;
    return w;
  });
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const rowNumber = opts.rowNumbers?.[r] ?? r + 1;
    const base = r * p.width;
    for (const w of writers) w.write(row[w.name], out, base, rowNumber);
  }
  return out;
}

/** The targets of `rows`: class indices (classification) or values (regression). Every label must be present. */
export function encodeLabels(p: Preprocessing, rows: readonly RawRow[], opts: EncodeOptions = {}): Float32Array {
  const out = new Float32Array(rows.length);
  const { name: label, kind, classes } = p.label;
  const index = new Map(classes.map((c, i) => [c, i]));
  const where = opts.source ? ` (${opts.source})` : '';
  for (let r = 0; r < rows.length; r++) {
    const value = rows[r]![label];
    const row = opts.rowNumbers?.[r] ?? r + 1;
    if (value === null || value === undefined || isMissing(value, p.missingValues)) {
      throw new InvalidInput(`Label "${label}" is missing at row ${row}${where}`, { field: label, row, key: opts.source });
    }
    if (p.task === 'regression') {
      const n = numberOf(value);
      if (n === undefined || !Number.isFinite(n)) throw new InvalidInput(`Label "${label}" must be a finite number, row ${row} holds ${showValue(value)}${where}`, { field: label, row, key: opts.source });
      out[r] = n;
    } else {
      const c = classOf(value, kind);
      const i = c === undefined ? undefined : index.get(c);
      if (i === undefined) throw new InvalidInput(`Label "${label}" at row ${row} is ${showValue(value)}, not one of the classes ${classes.join(', ')}${where}`, { field: label, row, key: opts.source });
      out[r] = i;
    }
  }
  return out;
}
