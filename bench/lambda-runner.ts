// Benchmark of the local Lambda runner: cold start, warm round-trip latency and throughput of a no-op
// function, against two baselines measured in the same run: calling the same handler in-process,
// and a bare child-process IPC echo (the transport floor the runner is built on).
// Prints figures only; no assertions. Run: node --import tsx bench/lambda-runner.ts
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { handler as noop } from '../test/fixtures/functions/noop';
import type { FunctionSpec } from '../handlers/catalog-types';
import { createLambdaRuntime } from '../local/lambda/runtime';
import { fixtureFunction } from '../test/support/fixture-function';

const WARM_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000);
const COLD_STARTS = 5;
const THROUGHPUT_CALLS = Number(process.env.BENCH_THROUGHPUT_CALLS ?? 2000);
const event = { jobId: 'bench', key: 'jobs/bench/input/in.mp4', index: 0 };

function spec(name: string): FunctionSpec {
  return fixtureFunction(name, { entry: 'test/fixtures/functions/noop.ts', timeoutSeconds: 30 });
}

function summarize(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}

async function timeEach(rounds: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples;
}

async function inProcessBaseline(): Promise<{ median: number; p95: number }> {
  // The runner passes events through JSON, so the baseline does too.
  return summarize(await timeEach(WARM_ROUNDS, () => noop(JSON.parse(JSON.stringify(event)))));
}

const echoSource = `process.on('message', (m) => process.send(m));`;

async function ipcBaseline(): Promise<{ median: number; p95: number; perSecond: number; coldMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', echoSource], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const roundTrip = async (): Promise<void> => {
    child.send({ type: 'invoke', event: JSON.stringify(event) });
    await once(child, 'message');
  };
  await roundTrip();
  const coldMs = performance.now() - started;
  const samples = await timeEach(WARM_ROUNDS, roundTrip);
  const t = performance.now();
  for (let i = 0; i < THROUGHPUT_CALLS; i += 1) await roundTrip();
  const perSecond = THROUGHPUT_CALLS / ((performance.now() - t) / 1000);
  child.kill();
  return { ...summarize(samples), perSecond, coldMs };
}

async function runnerFigures() {
  const workers = Math.max(2, cpus().length);
  const names = [...Array(COLD_STARTS)].map((_, i) => `Noop${i}`);
  const runtime = createLambdaRuntime({
    functions: names.map(spec),
    env: {},
    maxConcurrency: Math.max(workers, COLD_STARTS),
    maxConcurrencyPerFunction: workers,
    onLog: () => {},
  });
  try {
    const cold: number[] = [];
    const init: number[] = [];
    for (const name of names) {
      const t = performance.now();
      const outcome = await runtime.invoke(name, event);
      cold.push(performance.now() - t);
      if (!outcome.ok || !outcome.coldStart) throw new Error(`expected a cold start of ${name}`);
      init.push(outcome.initDurationMs ?? 0);
    }
    const warm = await timeEach(WARM_ROUNDS, () => runtime.invoke('Noop0', event));
    // Warm up the second worker of Noop0 before timing throughput.
    await Promise.all([...Array(workers)].map(() => runtime.invoke('Noop0', event)));
    const t = performance.now();
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < THROUGHPUT_CALLS) {
        next += 1;
        await runtime.invoke('Noop0', event);
      }
    };
    await Promise.all([...Array(workers)].map(lane));
    const perSecond = THROUGHPUT_CALLS / ((performance.now() - t) / 1000);
    const stats = runtime.stats();
    return { cold: summarize(cold), init: summarize(init), warm: summarize(warm), perSecond, workers, stats };
  } finally {
    await runtime.close();
  }
}

const ms = (v: number) => `${v.toFixed(3)} ms`;

const inProcess = await inProcessBaseline();
const ipc = await ipcBaseline();
const runner = await runnerFigures();

console.log(`Lambda runner benchmark: no-op handler, ${WARM_ROUNDS} warm rounds, ${THROUGHPUT_CALLS} calls for throughput, ${cpus().length} CPUs`);
console.log('');
console.log('warm round trip            median        p95');
console.log(`  in-process call     ${ms(inProcess.median).padStart(12)} ${ms(inProcess.p95).padStart(12)}`);
console.log(`  raw IPC echo        ${ms(ipc.median).padStart(12)} ${ms(ipc.p95).padStart(12)}`);
console.log(`  runner invoke       ${ms(runner.warm.median).padStart(12)} ${ms(runner.warm.p95).padStart(12)}`);
console.log(`  runner / raw IPC    ${(runner.warm.median / ipc.median).toFixed(2).padStart(10)}x ${(runner.warm.p95 / ipc.p95).toFixed(2).padStart(11)}x`);
console.log(`  runner - in-process ${ms(runner.warm.median - inProcess.median).padStart(12)}   (the price of process isolation per call)`);
console.log('');
console.log('throughput');
console.log(`  raw IPC echo, 1 process, sequential:       ${ipc.perSecond.toFixed(0)} calls/s`);
console.log(`  runner, ${runner.workers} warm workers, ${runner.workers} callers:       ${runner.perSecond.toFixed(0)} invocations/s`);
console.log(`  runner / raw IPC:                          ${(runner.perSecond / ipc.perSecond).toFixed(2)}x`);
console.log('');
console.log(`cold start (${COLD_STARTS} functions, each its first invocation)`);
console.log(`  bare node process + first IPC echo:        ${ms(ipc.coldMs)}`);
console.log(`  runner cold invoke (node + tsx + handler): median ${ms(runner.cold.median)}, p95 ${ms(runner.cold.p95)}`);
console.log(`    of which handler module load (init):     median ${ms(runner.init.median)}`);
console.log(`  runner cold / bare node:                   ${(runner.cold.median / ipc.coldMs).toFixed(2)}x`);
console.log(`  cold starts counted by the runner:         ${runner.stats.coldStarts} of ${runner.stats.invocations} invocations`);
