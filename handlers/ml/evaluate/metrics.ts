// Test-set metrics for metrics.json, computed in float64 from the model's float32 outputs.
//
// Conventions follow scikit-learn so the figures can be checked against it:
// - logLoss: probabilities clipped to [1e-15, 1 - 1e-15], each row then renormalized to sum to 1, and
//   the mean of -ln p(true class) over rows (sklearn.metrics.log_loss with eps=1e-15, as up to 1.2).
//   The clip keeps one confidently wrong row from making the mean infinite.
// - r2: 1 - SSres / SStot; when the labels are constant (SStot = 0) it is 1 for a perfect fit and 0
//   otherwise (r2_score's force_finite), so metrics.json never holds NaN or -Infinity.
// - per-class precision/recall/f1 are 0 where their denominator is 0 (zero_division=0).
import { InternalError } from '../../lib/errors';

export const LOG_LOSS_EPS = 1e-15;

export interface ClassMetrics {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose actual class this is. */
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  logLoss: number;
  /** confusion[actual][predicted]: row counts; indices into `classes`. */
  confusion: number[][];
  classes: string[];
  perClass: ClassMetrics[];
}

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

/** The predicted class of a row: the highest probability, the lowest index on a tie (numpy's argmax). */
export function argmax(probabilities: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let c = 1; c < count; c++) if (probabilities[offset + c]! > probabilities[offset + best]!) best = c;
  return best;
}

function checkRows(labels: Float32Array, rows: number): void {
  if (rows === 0) throw new InternalError('Cannot compute metrics over 0 rows');
  if (labels.length !== rows) throw new InternalError(`${labels.length} labels for ${rows} rows of outputs`);
}

/**
 * `labels`: one class index a row; `probabilities`: rows × classes, row-major (the softmax output).
 * Labels must be valid indices: they come from our own shards, so anything else is a bug.
 */
export function classificationMetrics(labels: Float32Array, probabilities: Float32Array, classes: string[]): ClassificationMetrics {
  const k = classes.length;
  if (k < 2) throw new InternalError(`Classification metrics need at least 2 classes, got ${k}`);
  if (probabilities.length % k !== 0) throw new InternalError(`${probabilities.length} probabilities do not make rows of ${k} classes`);
  const rows = probabilities.length / k;
  checkRows(labels, rows);
  const confusion = classes.map(() => new Array<number>(k).fill(0));
  let correct = 0;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const actual = labels[r]!;
    if (!Number.isInteger(actual) || actual < 0 || actual >= k) throw new InternalError(`Row ${r} has label ${actual}, not a class index below ${k}`);
    const at = r * k;
    const predicted = argmax(probabilities, at, k);
    confusion[actual]![predicted]!++;
    if (predicted === actual) correct++;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += clip(probabilities[at + c]!);
    loss -= Math.log(clip(probabilities[at + actual]!) / sum);
  }
  return { accuracy: correct / rows, logLoss: loss / rows, confusion, classes: [...classes], perClass: perClassMetrics(confusion, classes) };
}

function clip(p: number): number {
  // NaN (a diverged model) clips to eps too: a useless prediction, counted as the worst allowed.
  return p >= 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : p > LOG_LOSS_EPS ? p : LOG_LOSS_EPS;
}

function perClassMetrics(confusion: number[][], classes: string[]): ClassMetrics[] {
  return classes.map((name, c) => {
    const truePositives = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((n, row) => n + row[c]!, 0);
    const precision = predicted === 0 ? 0 : truePositives / predicted;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { class: name, precision, recall, f1, support };
  });
}

export function regressionMetrics(labels: Float32Array, predictions: Float32Array): RegressionMetrics {
  const rows = predictions.length;
  checkRows(labels, rows);
  let mean = 0;
  for (let i = 0; i < rows; i++) mean += labels[i]!;
  mean /= rows;
  let squares = 0;
  let absolute = 0;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const error = predictions[i]! - labels[i]!;
    squares += error * error;
    absolute += Math.abs(error);
    total += (labels[i]! - mean) ** 2;
  }
  const r2 = total > 0 ? 1 - squares / total : squares === 0 ? 1 : 0;
  return { rmse: Math.sqrt(squares / rows), mae: absolute / rows, r2 };
}
