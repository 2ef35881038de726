// The ML training pipeline's costs, each against a baseline measured in this run (figures only):
//   node --import tsx bench/ml.ts [--rows N] [--box-seconds S] [--epochs E] [--skip-backends]
//   1. training samples/s per backend (wasm with SIMD, pure-JS cpu) on the same model and batches, each in
//      its own process;
//   2. on flights-3m.parquet (vega-datasets; --rows N takes its first N rows): Prepare's time, then E
//      epochs (default 2) trained as the state machine runs them, call after call of a time box of S seconds (default 60)
//      with its checkpoints, against the same epochs trained in one call with no checkpoint but the last
//      (target <= 1.1x); per call, the checkpoint load + save as a share of the box (target <= 5%) and the
//      share of the box spent training (target >= 80%; the deadline keeps a margin of min(10 s, 20%) of it,
//      so a 60 s box can use at most 50 s: in AWS the box is 900 s).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Cursor } from '../handlers/lib/checkpoint';
import { deadlineOf } from '../handlers/lib/deadline';
import { getJson, uploadFile } from '../handlers/lib/s3';
import { datasetLayoutSchema } from '../handlers/ml/dataset-layout';
import { datasetKeys } from '../handlers/ml/dataset-keys';
import { prepareDataset } from '../handlers/ml/prepare-dataset';
import { readShard } from '../handlers/ml/shard-store';
import { trainTimeBoxed, type TrainResult } from '../handlers/ml/train/train-loop';
import type { TrainConfigInput } from '../handlers/ml/train/train-config';
import { applyEnv } from '../local/process-env';
import { startLocalServices } from '../local/services';

const { values: args } = parseArgs({ options: { rows: { type: 'string' }, 'box-seconds': { type: 'string' }, epochs: { type: 'string' }, 'skip-backends': { type: 'boolean' } } });
const EPOCHS = Number(args.epochs ?? 2);
const BOX_MS = Number(args['box-seconds'] ?? 60) * 1000;
const FLIGHTS = join(process.cwd(), 'node_modules/vega-datasets/data/flights-3m.parquet');
const HIDDEN = [64, 32];
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (n: number) => n.toLocaleString('en-US');

function backendRates(backend: 'wasm' | 'cpu'): Promise<{ backend: string; simd: boolean; rates: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ml-backend-child.ts', '16', '3', HIDDEN.join(',')], {
      env: { ...process.env, LONGHAUL_TF_BACKEND: backend },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`${backend} child exited ${code}`))));
  });
}

console.log(`bench/ml.ts  node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (!args['skip-backends']) {
  console.log(`\n1. training samples/s, MLP 16 -> ${HIDDEN.join(' -> ')} -> 3 (Adam), one process per backend`);
  for (const backend of ['wasm', 'cpu'] as const) {
    const r = await backendRates(backend);
    console.log(`   ${r.backend.padEnd(5)}${r.simd ? ' (SIMD)' : '       '}  ${Object.entries(r.rates).map(([b, v]) => `batch ${b}: ${num(v)}`).join(', ')}`);
  }
}

const services = await startLocalServices({ quiet: true });
const restore = applyEnv(services.env);
const dir = await mkdtemp(join(tmpdir(), 'longhaul-bench-ml-'));
try {
  const jobId = 'bench-ml';
  let source = FLIGHTS;
  if (args.rows) {
    source = join(dir, 'flights.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`copy (select * from read_parquet('${FLIGHTS}') limit ${Number(args.rows)}) to '${source}' (format parquet)`);
    c.closeSync();
    db.closeSync();
  }
  const key = `jobs/${jobId}/input/flights.parquet`;
  await uploadFile(source, key);
  const batchSize = 512;
  let started = performance.now();
  const summary = await prepareDataset({ jobId, input: { key }, dataset: { label: 'delay', task: 'regression', features: ['distance', 'date'], batchSize, seed: 1 } });
  console.log(`\n2. flights (${num(summary.rowsRead)} rows): delay from distance and date, MLP ${summary.width} -> ${HIDDEN.join(' -> ')} -> 1, Adam, batch ${batchSize}`);
  console.log(`   prepare (read, check, split, fit, shards to local S3): ${s(performance.now() - started)}; train ${num(summary.splits.train)} rows, validation ${num(summary.splits.validation)}`);
  const layout = datasetLayoutSchema.parse(await getJson(datasetKeys.layout(jobId)));
  const config: TrainConfigInput = { task: 'regression', width: layout.width, classes: 0, hidden: HIDDEN, optimizer: 'adam', learningRate: 0.001, batchSize, seed: 1, epochs: EPOCHS, patience: EPOCHS };

  // Baseline: one call with all the time it wants and no checkpoint before the end.
  started = performance.now();
  const once = await trainTimeBoxed({ deadline: deadlineOf({ getRemainingTimeInMillis: () => 3_600_000 }), checkpointKey: `jobs/${jobId}/work/bench/once.json`, cursor: null, config, layout, loadShard: readShard, checkpointEveryMs: Number.MAX_SAFE_INTEGER });
  const onceMs = performance.now() - started;

  // As the state machine runs it: calls of BOX_MS on the real clock, each resuming from the last checkpoint.
  let cursor: Cursor | null = null;
  let result: TrainResult | undefined;
  let boxedMs = 0;
  const calls: { wall: number; load: number; save: number; steps: number }[] = [];
  do {
    const callStart = performance.now();
    const stepEnds: number[] = [];
    result = await trainTimeBoxed({
      deadline: deadlineOf({ getRemainingTimeInMillis: () => Math.max(0, BOX_MS - (performance.now() - callStart)) }),
      checkpointKey: `jobs/${jobId}/work/bench/boxed.json`,
      cursor,
      config,
      layout,
      loadShard: readShard,
      onStep: () => stepEnds.push(performance.now()),
    });
    const end = performance.now();
    const gaps = stepEnds.slice(1).map((t, i) => t - stepEnds[i]!).sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)] ?? 0;
    // Before the first step ends: the checkpoint and weights read and the model rebuilt, plus one step.
    calls.push({ wall: end - callStart, load: Math.max(0, stepEnds[0]! - callStart - median), save: end - stepEnds.at(-1)!, steps: stepEnds.length });
    boxedMs += end - callStart;
    cursor = result.cursor;
  } while (!result.done);
  console.log(`   ${EPOCHS} epoch(s) in one call (checkpoint only at the end): ${s(onceMs)}, ${s(onceMs / EPOCHS)} an epoch (${num(Math.round(((EPOCHS * summary.splits.train) / onceMs) * 1000))} samples/s)`);
  console.log(`   the same in ${calls.length} calls of a ${BOX_MS / 1000} s box: ${s(boxedMs)}, ${s(boxedMs / EPOCHS)} an epoch = ${(boxedMs / onceMs).toFixed(2)}x (target <= 1.1x)`);
  for (const [i, c] of calls.entries()) {
    const training = c.wall - c.load - c.save;
    // The last call ends with the epoch, not with its box: its share of the box says nothing.
    const share = i < calls.length - 1 ? `training ${pct(training / BOX_MS)} of the box (target >= 80%)` : 'ended with the epoch';
    console.log(
      `     call ${i + 1}: ${s(c.wall)}, ${num(c.steps)} steps; checkpoint load ${(c.load / 1000).toFixed(2)} s + save ${(c.save / 1000).toFixed(2)} s = ${pct((c.load + c.save) / BOX_MS)} of the box (target <= 5%); ${share}`,
    );
  }
  console.log(`   same figures: validation loss ${once.valLoss?.toPrecision(6)} (one call) vs ${result.valLoss?.toPrecision(6)} (boxed)`);
} finally {
  restore();
  await services.stop();
  await rm(dir, { recursive: true, force: true });
}
