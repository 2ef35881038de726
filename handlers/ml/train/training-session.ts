// The live half of training inside one task: the model, its optimizer and the best weights so far as
// tfjs tensors, built from a checkpoint's arrays (or from the seeded initializers) and turned back into
// arrays for the next checkpoint. Training steps go through here; nothing here touches S3.
import * as tf from '@tensorflow/tfjs';
import { InternalError, InvalidInput } from '../../lib/errors';
import { buildMlp, createOptimizer, rowLosses } from './mlp';
import { optimizerArrays, restoreOptimizer } from './optimizer-state';
import type { Batch } from './shard-cache';
import type { ModelConfig } from './train-config';
import type { NamedArray, TensorGroup } from './weights-object';

function toArrays(tensors: readonly tf.Tensor[], group: TensorGroup, names: readonly string[]): NamedArray[] {
  return tensors.map((t, i) => ({
    spec: { group, name: names[i]!, shape: [...t.shape], dtype: 'float32' },
    values: Float32Array.from(t.dataSync()),
  }));
}

export class TrainingSession {
  private best: tf.Tensor[] | undefined;
  /** The model's trainable variables, passed to minimize: without a list tfjs trains every variable in the process. */
  private readonly variables: tf.Variable[];

  private constructor(
    private readonly config: ModelConfig,
    readonly model: tf.Sequential,
    private readonly optimizer: tf.Optimizer,
  ) {
    this.variables = model.trainableWeights.map((w) => {
      const v = w.read();
      if (!(v instanceof tf.Variable)) throw new InternalError(`Layer weight ${w.name} is not a tfjs variable`);
      return v;
    });
  }

  /** A session for `config`, from the checkpoint's tensors or, without them, freshly initialized. */
  static async start(config: ModelConfig, saved?: readonly NamedArray[]): Promise<TrainingSession> {
    const session = new TrainingSession(config, buildMlp(config), createOptimizer(config));
    try {
      if (saved) await session.restore(saved);
      return session;
    } catch (err) {
      session.dispose();
      throw err;
    }
  }

  private async restore(saved: readonly NamedArray[]): Promise<void> {
    const group = (g: TensorGroup) => saved.filter((a) => a.spec.group === g);
    const current = this.model.getWeights();
    const fits = (arrays: NamedArray[]) =>
      arrays.length === current.length && arrays.every((a, i) => a.spec.shape.join('x') === current[i]!.shape.join('x'));
    const model = group('model');
    const best = group('best');
    if (!fits(model) || (best.length > 0 && !fits(best))) {
      throw new InternalError(
        `Checkpoint weights [${model.map((a) => a.spec.shape.join('x')).join(', ')}] do not fit the model [${current.map((t) => t.shape.join('x')).join(', ')}]`,
      );
    }
    const toTensors = (arrays: NamedArray[]) => arrays.map((a) => tf.tensor(a.values, a.spec.shape, 'float32'));
    const weights = toTensors(model);
    this.model.setWeights(weights);
    tf.dispose(weights);
    if (best.length > 0) this.best = toTensors(best);
    await restoreOptimizer(this.optimizer, group('optimizer'));
  }

  /** One optimizer step on the batch; its mean loss as trained (before the step's update). */
  trainBatch(batch: Batch): number {
    const { config, model } = this;
    const x = tf.tensor2d(batch.features, [batch.rows, config.width]);
    const y = tf.tensor1d(batch.labels);
    let cost: tf.Scalar | null;
    try {
      // tfjs runs the loss function inside its own tidy when taking gradients.
      cost = this.optimizer.minimize(() => tf.mean(rowLosses(config, y, model.apply(x, { training: true }) as tf.Tensor2D)) as tf.Scalar, true, this.variables);
    } finally {
      x.dispose();
      y.dispose();
    }
    if (!cost) throw new InternalError('optimizer.minimize returned no cost');
    const loss = cost.dataSync()[0]!;
    cost.dispose();
    if (!Number.isFinite(loss)) {
      // Nothing after a NaN or an overflow is worth training on, and JSON cannot carry it.
      throw new InvalidInput(`Training diverged: the batch loss is ${loss}; lower the learning rate (now ${config.learningRate})`, { field: 'learningRate' });
    }
    return loss;
  }

  /** The sum of the rows' losses under the current weights (validation). */
  lossSum(batch: Batch): number {
    const { config, model } = this;
    const sum = tf.tidy(() => {
      const x = tf.tensor2d(batch.features, [batch.rows, config.width]);
      const y = tf.tensor1d(batch.labels);
      return rowLosses(config, y, model.predict(x) as tf.Tensor2D).sum();
    });
    const value = sum.dataSync()[0]!;
    sum.dispose();
    return value;
  }

  /** Copies the current weights as the best so far. */
  keepBest(): void {
    tf.dispose(this.best);
    this.best = this.model.getWeights().map((t) => t.clone());
  }

  /** Puts the best weights back into the model (early stopping keeps them, not the last). */
  restoreBest(): void {
    if (this.best) this.model.setWeights(this.best);
  }

  async arrays(): Promise<NamedArray[]> {
    const names = this.model.weights.map((w) => w.originalName);
    return [
      ...toArrays(this.model.getWeights(), 'model', names),
      ...(await optimizerArrays(this.optimizer)),
      ...(this.best ? toArrays(this.best, 'best', names) : []),
    ];
  }

  /** Ends the session but keeps its model, which the caller now owns. */
  detachModel(): tf.Sequential {
    tf.dispose(this.best);
    this.best = undefined;
    this.optimizer.dispose();
    return this.model;
  }

  dispose(): void {
    tf.dispose(this.best);
    this.best = undefined;
    this.optimizer.dispose();
    this.model.dispose();
  }
}
