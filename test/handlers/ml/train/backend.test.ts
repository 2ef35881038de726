import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo } from '../../../../handlers/ml/train/backend';

const run = promisify(execFile);

async function childBackend(env: NodeJS.ProcessEnv, wasmPath?: string): Promise<{ info: BackendInfo; backend: string; product: number[] }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'backend-child.ts'), ...(wasmPath ? [wasmPath] : [])], {
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

describe('handlers/ml/train/backend', () => {
  it('starts tfjs on wasm with SIMD here, once per process', async () => {
    const info = await initBackend();
    expect(info).to.include({ name: 'wasm', simd: true, threads: 1 });
    expect(info.fallbackReason).to.equal(undefined);
    expect(tf.getBackend()).to.equal('wasm');
    expect(await initBackend()).to.equal(info);
  });

  it('falls back to cpu, saying why, when wasm cannot start or is turned off', async () => {
    const missing = await childBackend({}, '/nonexistent/tfjs-wasm/');
    expect(missing.info.name).to.equal('cpu');
    expect(missing.info.fallbackReason).to.match(/wasm backend failed/);
    expect(missing).to.deep.include({ backend: 'cpu', product: [2, 4, 6] });

    const off = await childBackend({ LONGHAUL_TF_BACKEND: 'cpu' });
    expect(off.info).to.deep.equal({ name: 'cpu', simd: false, threads: 1, fallbackReason: 'LONGHAUL_TF_BACKEND=cpu' });
    expect(off.backend).to.equal('cpu');
  });
});
