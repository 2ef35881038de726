import { expect } from 'chai';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getStream, putBuffer } from '../../../../handlers/lib/s3';
import { exportModel, loadModelFromDir, modelArtifacts } from '../../../../handlers/ml/evaluate/model-export';
import { initBackend } from '../../../../handlers/ml/train/backend';
import { rejection } from '../../../support/rejection';
import { useLocalServices } from '../../../support/services';
import { tinyModel } from './tiny-model';

const inputs = () => tf.tensor2d([0.5, -1, 2, 0, 0, 0, -3, 1.5, 0.25], [3, 3]);

function predictions(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => (model.predict(inputs()) as tf.Tensor).dataSync() as Float32Array);
}

/** tfjs's own loader over the two files, independent of loadModelFromDir. */
function filesHandler(modelJson: string, weights: Buffer): tf.io.IOHandler {
  const json = JSON.parse(modelJson) as tf.io.ModelJSON;
  return {
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length) as ArrayBuffer,
    }),
  };
}

async function bytesAt(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await getStream(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('handlers/ml/evaluate/model-export', () => {
  const services = useLocalServices();
  let dir: string;
  before(async () => {
    await initBackend();
    dir = mkdtempSync(join(tmpdir(), 'model-export-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the layers format: model.json with topology and a manifest naming weights.bin, and its bytes', async () => {
    const model = tinyModel(3, 2, 5, 'classification');
    const files = await modelArtifacts(model);
    const json = JSON.parse(files.modelJson) as tf.io.ModelJSON;
    expect(json.format).to.equal('layers-model');
    expect(json.modelTopology).to.have.property('class_name', 'Sequential');
    expect(json.weightsManifest).to.have.length(1);
    expect(json.weightsManifest[0]!.paths).to.deep.equal(['weights.bin']);
    // 3×5 + 5 + 5×2 + 2 float32
    expect(files.weights.length).to.equal(4 * (15 + 5 + 10 + 2));
    const loaded = await tf.loadLayersModel(filesHandler(files.modelJson, files.weights));
    expect(predictions(loaded)).to.deep.equal(predictions(model));
    loaded.dispose();
    model.dispose();
  });

  it('exports to S3, weights first and model.json last, and the objects load into a model that predicts identically', async () => {
    services();
    const model = tinyModel(3, 1, 6, 'regression');
    const keys = { modelJsonKey: 'jobs/j1/output/model/model.json', weightsKey: 'jobs/j1/output/model/weights.bin' };
    const order: string[] = [];
    await exportModel(model, keys, {
      put: async (key, body, opts) => {
        order.push(key);
        await putBuffer(key, body, opts);
      },
    });
    expect(order).to.deep.equal([keys.weightsKey, keys.modelJsonKey]);
    // And through the default writer, the job bucket.
    const defaultKeys = { modelJsonKey: 'jobs/j2/output/model/model.json', weightsKey: 'jobs/j2/output/model/weights.bin' };
    await exportModel(model, defaultKeys);
    const modelJson = (await bytesAt(defaultKeys.modelJsonKey)).toString('utf8');
    const weights = await bytesAt(defaultKeys.weightsKey);
    const viaHandler = await tf.loadLayersModel(filesHandler(modelJson, weights));
    expect(predictions(viaHandler)).to.deep.equal(predictions(model));

    const folder = join(dir, 'from-s3');
    mkdirSync(folder);
    writeFileSync(join(folder, 'model.json'), modelJson);
    writeFileSync(join(folder, 'weights.bin'), weights);
    const viaDir = await loadModelFromDir(folder);
    expect(predictions(viaDir)).to.deep.equal(predictions(model));
    viaHandler.dispose();
    viaDir.dispose();
    model.dispose();
  });

  it('names weights.bin by its path relative to model.json, and refuses a weights key outside its folder', async () => {
    const model = tinyModel(2, 2, 7, 'classification');
    const written = new Map<string, Buffer | string>();
    const files = await exportModel(model, { modelJsonKey: 'out/model.json', weightsKey: 'out/w/weights.bin' }, { put: async (k, b) => void written.set(k, b) });
    expect((JSON.parse(files.modelJson) as tf.io.ModelJSON).weightsManifest[0]!.paths).to.deep.equal(['w/weights.bin']);
    expect(written.get('out/model.json')).to.equal(files.modelJson);
    const err = await rejection(exportModel(model, { modelJsonKey: 'out/model/model.json', weightsKey: 'out/weights.bin' }, { put: async () => {} }));
    expect(err.name).to.equal('InternalError');
    model.dispose();
  });

  it('loadModelFromDir names what is wrong: no folder, no weights, truncated weights, not JSON, not a model', async () => {
    const model = tinyModel(3, 2, 8, 'classification');
    const files = await modelArtifacts(model);
    model.dispose();
    const folder = (name: string, contents: Record<string, string | Buffer>) => {
      const d = join(dir, name);
      mkdirSync(d);
      for (const [file, body] of Object.entries(contents)) writeFileSync(join(d, file), body);
      return d;
    };
    const missing = await rejection(loadModelFromDir(join(dir, 'nope')));
    expect(missing.name).to.equal('InputNotFound');
    expect(missing.message).to.include(join(dir, 'nope', 'model.json'));

    const noWeights = await rejection(loadModelFromDir(folder('no-weights', { 'model.json': files.modelJson })));
    expect(noWeights.name).to.equal('InputNotFound');
    expect(noWeights.message).to.include('weights.bin');

    const truncated = await rejection(loadModelFromDir(folder('short', { 'model.json': files.modelJson, 'weights.bin': files.weights.subarray(0, 20) })));
    expect(truncated.name).to.equal('InvalidInput');
    expect(truncated.message).to.match(/20 bytes where its manifest needs 128/);

    const notJson = await rejection(loadModelFromDir(folder('not-json', { 'model.json': '{"modelTopology": ', 'weights.bin': files.weights })));
    expect(notJson.name).to.equal('InvalidInput');
    expect(notJson.message).to.match(/not valid JSON/);

    const notModel = await rejection(loadModelFromDir(folder('not-model', { 'model.json': '{"hello": 1}', 'weights.bin': files.weights })));
    expect(notModel.name).to.equal('InvalidInput');
    expect(notModel.message).to.match(/modelTopology/);
  });
});
