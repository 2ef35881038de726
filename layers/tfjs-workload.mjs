// The work a tfjs-layer user does, run twice by layers/tfjs.ts: once against node_modules to trace
// which files Node loads (that list becomes the layer), once against the unzipped layer to prove it
// is enough. Imports the way a bundled handler does (ESM, `@tensorflow/*` external).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const fs = require('node:fs');
const reads = new Set();
// The wasm backend reads its .wasm binary with fs; modules show up in require.cache.
for (const fn of ['readFileSync', 'readFile', 'createReadStream']) {
  const original = fs[fn];
  fs[fn] = function (path, ...rest) {
    if (typeof path === 'string') reads.add(path);
    return original.call(this, path, ...rest);
  };
}

const tf = await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend('wasm');
const product = tf.tensor([1, 2, 3]).mul(2).arraySync();
const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
await model.fit(tf.tensor2d([[1], [2]]), tf.tensor2d([[2], [4]]), { epochs: 1, verbose: 0, shuffle: false });
let saved = false;
await model.save(
  tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts.weightData !== undefined;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
const files = [...new Set([...Object.keys(require.cache), ...reads])].sort();
process.stdout.write(JSON.stringify({ backend: tf.getBackend(), product, saved, files }));
