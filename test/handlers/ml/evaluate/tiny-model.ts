// Small models with weights drawn from a seeded generator: fixed, non-trivial predictions without training.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../../../handlers/lib/seeded-random';
import type { Shard } from '../../../../handlers/ml/dataset-layout';

export function tinyModel(width: number, outputs: number, seed: number, task: 'classification' | 'regression'): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 5, activation: 'relu', inputShape: [width] }));
  model.add(tf.layers.dense({ units: outputs, activation: task === 'classification' ? 'softmax' : 'linear' }));
  const random = seededRandom(seed);
  const weights = model.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => random.next() * 2 - 1), w.shape));
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

export function randomShard(rows: number, width: number, classes: number, seed: number): Shard {
  const random = seededRandom(seed);
  return {
    rows,
    width,
    features: Float32Array.from({ length: rows * width }, () => random.next() * 4 - 2),
    labels: Float32Array.from({ length: rows }, () => (classes > 0 ? random.int(0, classes - 1) : random.next() * 10)),
  };
}
