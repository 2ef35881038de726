// Scores one split with a trained model, a shard at a time: only one shard's rows and its outputs are
// ever tensors, so a large test split does not need its features in memory at once (the outputs, a few
// floats a row, are kept for the metrics).
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../../lib/errors';
import type { DatasetLayout, MlTask, Shard } from '../dataset-layout';
import { classificationMetrics, regressionMetrics, type ClassificationMetrics, type RegressionMetrics } from './metrics';

export type EvaluationMetrics = ClassificationMetrics | RegressionMetrics;

export interface ModelEvaluation {
  task: MlTask;
  /** One target a row, in the split's order: class index or value. */
  labels: Float32Array;
  /** Classification: rows × classes probabilities, row-major; regression: one prediction a row. */
  outputs: Float32Array;
  metrics: EvaluationMetrics;
}

/** Rows a predict call takes at once: big enough to amortize tfjs's per-call cost, small enough for any shard. */
const PREDICT_BATCH = 4096;

/**
 * `classes` names the classes in metrics (preprocessing.json's label.classes); without it they are
 * named by their index. InternalError when the shards, the layout and the model disagree on sizes.
 */
export async function evaluateModel(
  model: tf.LayersModel,
  layout: DatasetLayout,
  loadShard: (key: string) => Promise<Shard>,
  split: 'test' | 'validation',
  classes?: string[],
): Promise<ModelEvaluation> {
  const { rows, shards } = layout[split];
  const perRow = layout.task === 'classification' ? layout.classes : 1;
  if (classes && classes.length !== layout.classes) throw new InternalError(`${classes.length} class names for a dataset of ${layout.classes} classes`);
  const labels = new Float32Array(rows);
  const outputs = new Float32Array(rows * perRow);
  let at = 0;
  for (const key of shards) {
    const shard = await loadShard(key);
    if (shard.width !== layout.width) throw new InternalError(`${key} has width ${shard.width}, its layout ${layout.width}`);
    if (at + shard.rows > rows) throw new InternalError(`The ${split} shards hold more than the layout's ${rows} rows`);
    if (shard.rows === 0) continue;
    outputs.set(await predictShard(model, shard, perRow, key), at * perRow);
    labels.set(shard.labels, at);
    at += shard.rows;
  }
  if (at !== rows) throw new InternalError(`The ${split} shards hold ${at} rows, the layout says ${rows}`);
  const metrics =
    layout.task === 'classification'
      ? classificationMetrics(labels, outputs, classes ?? Array.from({ length: layout.classes }, (_, i) => String(i)))
      : regressionMetrics(labels, outputs);
  return { task: layout.task, labels, outputs, metrics };
}

async function predictShard(model: tf.LayersModel, shard: Shard, perRow: number, key: string): Promise<Float32Array> {
  const output = tf.tidy(() => model.predict(tf.tensor2d(shard.features, [shard.rows, shard.width]), { batchSize: PREDICT_BATCH }) as tf.Tensor);
  try {
    if (output.shape.length !== 2 || output.shape[0] !== shard.rows || output.shape[1] !== perRow) {
      throw new InternalError(`The model's output for ${key} is [${output.shape.join(', ')}], expected [${shard.rows}, ${perRow}]`);
    }
    return (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
}
