// The model: a multilayer perceptron built from the config alone, so a checkpoint needs only the config
// to rebuild its topology. Every initializer is seeded (tfjs falls back to Math.random without a seed),
// and so are the shuffles (epoch-order.ts): the same config trains the same weights.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './train-config';
import { mixSeed } from './seed-mix';

/** Tag separating initializer seeds from the shuffle seeds derived from the same job seed. */
const INIT_SEED_TAG = 0x1a17;

export function buildMlp(config: ModelConfig): tf.Sequential {
  const model = tf.sequential();
  config.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        name: `hidden${i + 1}`,
        units,
        activation: 'relu',
        ...(i === 0 ? { inputShape: [config.width] } : {}),
        kernelInitializer: tf.initializers.glorotUniform({ seed: mixSeed(config.seed, INIT_SEED_TAG, i) }),
        biasInitializer: 'zeros',
      }),
    );
  });
  const classification = config.task === 'classification';
  model.add(
    tf.layers.dense({
      name: 'output',
      units: classification ? config.classes : 1,
      // Softmax outputs probabilities, so the exported model scores rows without post-processing.
      activation: classification ? 'softmax' : 'linear',
      ...(config.hidden.length === 0 ? { inputShape: [config.width] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: mixSeed(config.seed, INIT_SEED_TAG, config.hidden.length) }),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}

export function createOptimizer(config: ModelConfig): tf.Optimizer {
  return config.optimizer === 'adam' ? tf.train.adam(config.learningRate) : tf.train.sgd(config.learningRate);
}

/**
 * The loss of each row: cross-entropy of the softmax output against the class index (Keras's
 * sparse categorical cross-entropy, clipped the same way), or the squared error for regression.
 * Training minimizes their mean; validation sums them, so its loss is the mean over all its rows.
 */
export function rowLosses(config: ModelConfig, labels: tf.Tensor1D, outputs: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    if (config.task === 'classification') {
      const target = tf.oneHot(labels.toInt(), config.classes);
      return tf.metrics.categoricalCrossentropy(target, outputs) as tf.Tensor1D;
    }
    return tf.metrics.meanSquaredError(labels.reshape([-1, 1]), outputs) as tf.Tensor1D;
  });
}
