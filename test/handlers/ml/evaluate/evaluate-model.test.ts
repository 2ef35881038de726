import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../../../../handlers/lib/errors';
import type { DatasetLayout, Shard } from '../../../../handlers/ml/dataset-layout';
import { evaluateModel } from '../../../../handlers/ml/evaluate/evaluate-model';
import { classificationMetrics, regressionMetrics } from '../../../../handlers/ml/evaluate/metrics';
import { initBackend } from '../../../../handlers/ml/train/backend';
import { rejection } from '../../../support/rejection';
import { randomShard, tinyModel } from './tiny-model';

function layoutOf(task: 'classification' | 'regression', width: number, classes: number, shards: Map<string, Shard>): DatasetLayout {
  const keys = [...shards.keys()];
  const rows = [...shards.values()].reduce((n, s) => n + s.rows, 0);
  const empty = { rows: 0, shards: [] };
  return { task, width, classes, shardRows: 5, train: empty, validation: empty, test: { rows, shards: keys } };
}

/** Every row of the shards through one predict call: what a shard-by-shard evaluation must reproduce. */
function wholePredict(model: tf.LayersModel, shards: Shard[], width: number): Float32Array {
  const rows = shards.reduce((n, s) => n + s.rows, 0);
  const features = new Float32Array(rows * width);
  let at = 0;
  for (const s of shards) {
    features.set(s.features, at);
    at += s.features.length;
  }
  return tf.tidy(() => (model.predict(tf.tensor2d(features, [rows, width])) as tf.Tensor).dataSync() as Float32Array);
}

describe('handlers/ml/evaluate/evaluate-model', () => {
  before(async () => {
    await initBackend();
  });

  it('scores a classification split shard by shard, keeping no tensor of a shard past it', async () => {
    const model = tinyModel(3, 3, 1, 'classification');
    const shards = new Map<string, Shard>([0, 1, 2].map((i) => [`test/${i}`, randomShard(i === 2 ? 2 : 5, 3, 3, 10 + i)]));
    const layout = layoutOf('classification', 3, 3, shards);
    const before = tf.memory().numTensors;
    const tensorsAtLoad: number[] = [];
    const loaded: string[] = [];
    const result = await evaluateModel(model, layout, async (key) => {
      tensorsAtLoad.push(tf.memory().numTensors);
      loaded.push(key);
      return shards.get(key)!;
    }, 'test', ['a', 'b', 'c']);
    expect(tf.memory().numTensors).to.equal(before);
    expect(tensorsAtLoad).to.deep.equal([before, before, before]);
    expect(loaded).to.deep.equal(['test/0', 'test/1', 'test/2']);

    const expected = wholePredict(model, [...shards.values()], 3);
    expect(result.task).to.equal('classification');
    expect(result.outputs.length).to.equal(12 * 3);
    result.outputs.forEach((v, i) => expect(v).to.be.closeTo(expected[i]!, 1e-6));
    expect([...result.labels]).to.deep.equal([...shards.values()].flatMap((s) => [...s.labels]));
    const want = classificationMetrics(result.labels, expected, ['a', 'b', 'c']);
    expect(result.metrics).to.have.property('accuracy', want.accuracy);
    expect(result.metrics).to.have.property('logLoss').closeTo(want.logLoss, 1e-6);
    expect(result.metrics).to.have.deep.property('confusion', want.confusion);
    expect(result.metrics).to.have.deep.property('classes', ['a', 'b', 'c']);
    model.dispose();
  });

  it('scores a regression split, classes named by index when not given', async () => {
    const model = tinyModel(4, 1, 2, 'regression');
    const shards = new Map<string, Shard>([0, 1].map((i) => [`v/${i}`, randomShard(i === 0 ? 5 : 3, 4, 0, 20 + i)]));
    const layout = { ...layoutOf('regression', 4, 0, shards) };
    layout.validation = layout.test;
    const before = tf.memory().numTensors;
    const result = await evaluateModel(model, layout, async (key) => shards.get(key)!, 'validation');
    expect(tf.memory().numTensors).to.equal(before);
    const expected = wholePredict(model, [...shards.values()], 4);
    result.outputs.forEach((v, i) => expect(v).to.be.closeTo(expected[i]!, 1e-5));
    const want = regressionMetrics(result.labels, expected);
    expect(result.metrics).to.have.property('rmse').closeTo(want.rmse, 1e-5);
    expect(result.metrics).to.have.property('r2').closeTo(want.r2, 1e-5);
    model.dispose();
  });

  it('refuses shards that disagree with the layout, and leaks no tensor doing so', async () => {
    const model = tinyModel(3, 2, 3, 'classification');
    const shards = new Map([['t/0', randomShard(4, 3, 2, 1)]]);
    const layout = layoutOf('classification', 3, 2, shards);
    const before = tf.memory().numTensors;
    const wide = { ...layout, width: 4 };
    expect((await rejection(evaluateModel(model, wide, async (k) => shards.get(k)!, 'test'))).name).to.equal('InternalError');
    const moreRows = { ...layout, test: { rows: 5, shards: ['t/0'] } };
    expect(await rejection(evaluateModel(model, moreRows, async (k) => shards.get(k)!, 'test'))).to.be.instanceOf(InternalError);
    const wrongClasses = { ...layout, classes: 3 };
    expect((await rejection(evaluateModel(model, wrongClasses, async (k) => shards.get(k)!, 'test'))).message).to.match(/expected \[4, 3\]/);
    expect(tf.memory().numTensors).to.equal(before);
    model.dispose();
  });
});
