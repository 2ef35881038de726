// Benchmark of the local Lambda runner: cold start with the deployed bundles (the default) and from the
// TypeScript sources (--from-source), for a no-op handler and for a real catalog function; warm round-trip
// latency and throughput; the bundle cache. Baselines measured in the same run: the same handler called
// in-process, and a bare child process of the workers' node answering over IPC (the floor the runner is
// built on). Prints figures only; no assertions. Run: node --import tsx bench/lambda-runner.ts
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionSpec } from '../handlers/catalog-types';
import { findFunction } from '../handlers/catalog';
import { externalPackages } from '../infra/packaging/bundle-function';
import { createBundleCache, defaultBundleCacheDir } from '../local/lambda/bundle-cache';
import type { CodeMode } from '../local/lambda/function-code';
import { lambdaNode } from '../local/lambda/lambda-node';
import { createLambdaRuntime } from '../local/lambda/runtime';
import type { WorkerInit, WorkerInvoke, WorkerMessage } from '../local/lambda/worker-protocol';
import { handler as noop } from '../test/fixtures/functions/noop';
import { fixtureFunction } from '../test/support/fixture-function';

const WARM_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000);
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 7);
const THROUGHPUT_CALLS = Number(process.env.BENCH_THROUGHPUT_CALLS ?? 2000);
const event = { jobId: 'bench', key: 'jobs/bench/input/in.mp4', index: 0 };
const repoRoot = path.resolve(import.meta.dirname, '..');
/** A real function: the AWS SDK and the handler library in a 2.5 MB bundle, the ffmpeg layer. */
const REAL = findFunction('VideoProbe');

interface Summary {
  median: number;
  p95: number;
}

function summarize(samples: number[]): Summary {
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

async function inProcessBaseline(): Promise<Summary> {
  // The runner passes events through JSON, so the baseline does too.
  return summarize(await timeEach(WARM_ROUNDS, () => noop(JSON.parse(JSON.stringify(event)))));
}

const echoSource = `process.on('message', (m) => process.send(m));`;

/** A child of `node` that echoes IPC messages: from spawn to its first answer, then warm figures. */
async function ipcEcho(node: string, warm: boolean): Promise<{ coldMs: number; warm?: Summary; perSecond?: number }> {
  const started = performance.now();
  const child = spawn(node, ['-e', echoSource], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
  const roundTrip = async (): Promise<void> => {
    child.send({ type: 'invoke', event: JSON.stringify(event) });
    await once(child, 'message');
  };
  try {
    await roundTrip();
    const coldMs = performance.now() - started;
    if (!warm) return { coldMs };
    const samples = await timeEach(WARM_ROUNDS, roundTrip);
    const t = performance.now();
    for (let i = 0; i < THROUGHPUT_CALLS; i += 1) await roundTrip();
    return { coldMs, warm: summarize(samples), perSecond: THROUGHPUT_CALLS / ((performance.now() - t) / 1000) };
  } finally {
    child.kill();
  }
}

/**
 * The runner as it was before workers ran bundles: this process's node with `--import tsx` running
 * worker-main.ts, driven through the same protocol (init, then one invocation of the no-op handler).
 */
async function previousColdStart(): Promise<number> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', tsx, path.join(repoRoot, 'local/lambda/worker-main.ts')], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  try {
    const reply = async (type: WorkerMessage['type']): Promise<void> => {
      for (;;) {
        const [message] = (await once(child, 'message')) as [WorkerMessage];
        if (message.type === type) return;
      }
    };
    const init: WorkerInit = {
      type: 'init',
      handlerModule: path.join(repoRoot, 'test/fixtures/functions/noop.ts'),
      handler: 'noop.handler',
      resolveFromNodePath: false,
      functionName: 'Noop',
      memoryMb: 256,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Noop',
      logGroupName: '/aws/lambda/Noop',
      logStreamName: 'bench',
    };
    child.send(init);
    await reply('ready');
    const invoke: WorkerInvoke = { type: 'invoke', requestId: 'bench', event: JSON.stringify(event), deadlineMs: Date.now() + 30_000 };
    child.send(invoke);
    await reply('result');
    return performance.now() - started;
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
  }
}

interface ColdFigures {
  cold: Summary;
  init: Summary;
}

/** A runtime with COLD_STARTS functions running `spec`'s code: invoking the next one is a cold start. */
async function coldStarter(code: CodeMode, spec: FunctionSpec, payload: unknown) {
  const specs = [...Array(COLD_STARTS + 1)].map((_, i) => ({ ...spec, name: `${spec.name}${i}` }));
  const runtime = createLambdaRuntime({ functions: specs, env: {}, code, maxConcurrency: specs.length, onLog: () => {} });
  // Not timed: the bundle is built or found current before the first cold start, as a deploy would have.
  await runtime.invoke(specs[0]!.name, payload);
  const cold: number[] = [];
  const init: number[] = [];
  return {
    async next(): Promise<void> {
      const name = specs[cold.length + 1]!.name;
      const t = performance.now();
      const outcome = await runtime.invoke(name, payload);
      cold.push(performance.now() - t);
      if (!outcome.coldStart) throw new Error(`expected a cold start of ${name}`);
      init.push(outcome.initDurationMs ?? 0);
    },
    async finish(): Promise<ColdFigures> {
      await runtime.close();
      return { cold: summarize(cold), init: summarize(init) };
    },
  };
}

/** Every configuration once per round, so a change in the machine's load reaches them all alike. */
async function coldStartFigures(node: string) {
  // An empty event fails VideoProbe's validation at once: the invocation is the module load and little more.
  const starters = {
    noopBundle: await coldStarter('bundle', noopSpec, event),
    noopSource: await coldStarter('source', noopSpec, event),
    realBundle: await coldStarter('bundle', REAL, {}),
    realSource: await coldStarter('source', REAL, {}),
  };
  const bare: number[] = [];
  const bareOwn: number[] = [];
  const previous: number[] = [];
  for (let i = 0; i < COLD_STARTS; i += 1) {
    bare.push((await ipcEcho(node, false)).coldMs);
    bareOwn.push((await ipcEcho(process.execPath, false)).coldMs);
    previous.push(await previousColdStart());
    for (const starter of Object.values(starters)) await starter.next();
  }
  return {
    bare: summarize(bare),
    bareOwn: summarize(bareOwn),
    previous: summarize(previous),
    noopBundle: await starters.noopBundle.finish(),
    noopSource: await starters.noopSource.finish(),
    realBundle: await starters.realBundle.finish(),
    realSource: await starters.realSource.finish(),
  };
}

async function warmFigures(): Promise<{ warm: Summary; perSecond: number; workers: number }> {
  const workers = Math.max(2, cpus().length);
  const runtime = createLambdaRuntime({ functions: [fixtureFunction('Noop', { entry: 'test/fixtures/functions/noop.ts' })], env: {}, onLog: () => {} });
  try {
    await runtime.invoke('Noop', event);
    const warm = await timeEach(WARM_ROUNDS, () => runtime.invoke('Noop', event));
    // Start every worker before timing throughput.
    await Promise.all([...Array(workers)].map(() => runtime.invoke('Noop', event)));
    const t = performance.now();
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < THROUGHPUT_CALLS) {
        next += 1;
        await runtime.invoke('Noop', event);
      }
    };
    await Promise.all([...Array(workers)].map(lane));
    return { warm: summarize(warm), perSecond: THROUGHPUT_CALLS / ((performance.now() - t) / 1000), workers };
  } finally {
    await runtime.close();
  }
}

/** The real function's bundle: built from nothing in a fresh cache, then found current in the project's. */
async function bundleCacheFigures(): Promise<{ buildMs: number; currentMs: Summary }> {
  const request = { entry: REAL.entry, external: externalPackages(REAL) };
  const scratch = mkdtempSync(path.join(tmpdir(), 'longhaul-bench-bundles-'));
  try {
    let t = performance.now();
    await createBundleCache({ rootDir: repoRoot, cacheDir: scratch }).get(request);
    const buildMs = performance.now() - t;
    const cache = createBundleCache({ rootDir: repoRoot, cacheDir: defaultBundleCacheDir(repoRoot) });
    await cache.get(request);
    const samples: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      t = performance.now();
      await cache.get(request);
      samples.push(performance.now() - t);
    }
    return { buildMs, currentMs: summarize(samples) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const fine = (v: number) => `${v.toFixed(3)} ms`;
const times = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

const node = lambdaNode();
const noopSpec = fixtureFunction('Noop', { entry: 'test/fixtures/functions/noop.ts', timeoutSeconds: 30 });
const inProcess = await inProcessBaseline();
const ipc = await ipcEcho(node.path, true);
const runner = await warmFigures();
const cold = await coldStartFigures(node.path);
const bundles = await bundleCacheFigures();

console.log(`Lambda runner benchmark: workers on node ${node.version} (this process: ${process.version}), ${cpus().length} CPUs`);
console.log(`${WARM_ROUNDS} warm rounds, ${THROUGHPUT_CALLS} calls for throughput, ${COLD_STARTS} cold starts per line (medians unless said)`);
console.log('');
console.log('warm round trip (bundle)   median        p95');
console.log(`  in-process call     ${fine(inProcess.median).padStart(12)} ${fine(inProcess.p95).padStart(12)}`);
console.log(`  raw IPC echo        ${fine(ipc.warm!.median).padStart(12)} ${fine(ipc.warm!.p95).padStart(12)}`);
console.log(`  runner invoke       ${fine(runner.warm.median).padStart(12)} ${fine(runner.warm.p95).padStart(12)}`);
console.log(`  runner / raw IPC    ${times(runner.warm.median, ipc.warm!.median).padStart(11)} ${times(runner.warm.p95, ipc.warm!.p95).padStart(12)}`);
console.log('');
console.log('throughput');
console.log(`  raw IPC echo, 1 process, sequential:       ${ipc.perSecond!.toFixed(0)} calls/s`);
console.log(`  runner, ${runner.workers} warm workers, ${runner.workers} callers:       ${runner.perSecond.toFixed(0)} invocations/s (${times(runner.perSecond, ipc.perSecond!)} of raw IPC)`);
console.log('');
console.log('cold start: spawn to the first answer             median      p95   of which handler load (init)');
const row = (label: string, f: ColdFigures, base: Summary) =>
  console.log(`  ${label.padEnd(44)} ${ms(f.cold.median).padStart(9)} ${ms(f.cold.p95).padStart(9)}   ${ms(f.init.median)}   (${times(f.cold.median, base.median)} bare)`);
const plain = (label: string, f: Summary) => console.log(`  ${label.padEnd(44)} ${ms(f.median).padStart(9)} ${ms(f.p95).padStart(9)}`);
plain(`bare node v${node.version} + first IPC echo`, cold.bare);
plain(`bare node ${process.version} + first IPC echo`, cold.bareOwn);
plain(`no-op, as before: node ${process.version} + tsx`, cold.previous);
row('no-op, bundle (default)', cold.noopBundle, cold.bare);
row('no-op, --from-source (tsx)', cold.noopSource, cold.bare);
row(`${REAL.name}, bundle (default)`, cold.realBundle, cold.bare);
row(`${REAL.name}, --from-source (tsx)`, cold.realSource, cold.bare);
console.log('');
console.log(`bundle cache, ${REAL.name}: built from nothing ${ms(bundles.buildMs)}; found current ${fine(bundles.currentMs.median)} (p95 ${fine(bundles.currentMs.p95)})`);
