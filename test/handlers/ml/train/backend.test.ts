import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../handlers/ml/train/backend';

describe('handlers/ml/train/backend', () => {
  it('starts tfjs on wasm with SIMD here, once per process', async () => {
    const info = await initBackend();
    expect(info).to.include({ name: 'wasm', simd: true, threads: 1 });
    expect(info.fallbackReason).to.equal(undefined);
    expect(tf.getBackend()).to.equal('wasm');
    expect(await initBackend()).to.equal(info);
  });
});
