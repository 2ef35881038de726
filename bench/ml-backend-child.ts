// One backend's training throughput, in its own process (tfjs picks its backend once per process):
// LONGHAUL_TF_BACKEND=cpu|wasm node --import tsx bench/ml-backend-child.ts <width> <classes> <hidden,...>
// Prints one JSON line: the backend in use and samples/s per batch size.
import { performance } from 'node:perf_hooks';
import { initBackend } from '../handlers/ml/train/backend';
import { TrainingSession } from '../handlers/ml/train/training-session';
import { seededRandom } from '../handlers/lib/seeded-random';

const [width, classes, hidden] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!.split(',').map(Number)];
const backend = await initBackend();
const rates: Record<string, number> = {};
for (const batchSize of [32, 128, 512]) {
  const random = seededRandom(batchSize);
  const rows = batchSize;
  const features = Float32Array.from({ length: rows * width }, () => random.next() * 2 - 1);
  const labels = Float32Array.from({ length: rows }, () => random.int(0, classes - 1));
  const session = await TrainingSession.start({ task: 'classification', width, classes, hidden, optimizer: 'adam', learningRate: 0.001, batchSize, seed: 1 });
  for (let i = 0; i < 5; i++) session.trainBatch({ rows, features, labels }); // warm-up
  let samples = 0;
  const started = performance.now();
  while (performance.now() - started < 2_000) {
    session.trainBatch({ rows, features, labels });
    samples += rows;
  }
  rates[String(batchSize)] = Math.round((samples / (performance.now() - started)) * 1000);
  session.dispose();
}
console.log(JSON.stringify({ backend: backend.name, simd: backend.simd, rates }));
