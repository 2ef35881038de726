import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { FILE_MODE, writeDeterministicZip } from '../../../infra/packaging/deterministic-zip';
import { unzippedBytes } from '../../../infra/packaging/zip-contents';
import { packageDirOf, tfjsLayerEntries, verifyTfjsLayer } from '../../../layers/tfjs';

const root = resolve(import.meta.dirname, '..', '..', '..');

describe('layers/tfjs', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'longhaul-tfjs-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the package folder of a file, scoped or not, nested or not', () => {
    expect(packageDirOf('@tensorflow/tfjs/dist/tf.node.js')).to.equal('@tensorflow/tfjs');
    expect(packageDirOf('seedrandom/lib/alea.js')).to.equal('seedrandom');
    expect(packageDirOf('a/node_modules/@s/b/index.js')).to.equal('a/node_modules/@s/b');
  });

  it('builds a layer of only what Node loads, which runs a wasm model from the unzipped layer alone', async () => {
    const entries = await tfjsLayerEntries(root);
    const names = entries.map((e) => e.name);
    expect(names.every((n) => n.startsWith('nodejs/node_modules/'))).to.equal(true);
    for (const needed of [
      'nodejs/node_modules/@tensorflow/tfjs/package.json',
      'nodejs/node_modules/@tensorflow/tfjs/dist/tf.node.js',
      'nodejs/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js',
      'nodejs/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
      'nodejs/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    ]) {
      expect(names).to.include(needed);
    }
    expect(names.filter((n) => /\.map$|\.min\.js$|\.d\.ts$|\.es2017\.js$|\.fesm\.js$/.test(n)), 'browser bundles, maps, typings').to.deep.equal([]);
    expect(entries.every((e) => e.mode === FILE_MODE)).to.equal(true);

    const zip = await writeDeterministicZip(entries, join(dir, 'tfjs.zip'));
    expect(await unzippedBytes(zip.path)).to.be.lessThan(30_000_000);
    const report = await verifyTfjsLayer(zip.path);
    expect(report).to.deep.include({ backend: 'wasm', product: [2, 4, 6], saved: true });
  });

  it('fails verification when a file Node needs is missing from the layer', async () => {
    const entries = (await tfjsLayerEntries(root)).filter((e) => !e.name.endsWith('tfjs-layers/dist/tf-layers.node.js'));
    const zip = await writeDeterministicZip(entries, join(dir, 'broken.zip'));
    try {
      await verifyTfjsLayer(zip.path);
      expect.fail('verification should fail');
    } catch (error) {
      expect((error as Error).message).to.match(/tf-layers|Cannot find|ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND/);
    }
  });
});
