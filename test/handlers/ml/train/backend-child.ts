// Run in a child process by backend.test.ts: the backend is chosen once per process, so the fallback
// needs a process of its own. With an argument, points the wasm backend at a folder without its
// .wasm binaries first, which is how a layer missing them fails.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../handlers/ml/train/backend';

if (process.argv[2]) setWasmPaths(process.argv[2]);
const info = await initBackend();
const product = tf.tensor([1, 2, 3]).mul(2).arraySync();
process.stdout.write(JSON.stringify({ info, backend: tf.getBackend(), product }));
