// The local Lambda service: invoke catalog functions by name or ARN in warm worker processes, with
// Lambda's limits (timeout, memory, payload size, concurrency) and error shapes.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FunctionSpec } from '../../handlers/catalog-types';
import { localFunctionArn } from '../local-arn';
import { DEFAULT_REGION } from '../../handlers/lib/storage-layout';
import { resolveFunctionName } from './function-name';
import { createInvocationSlots, type InvocationSlots, type SlotStats } from './invocation-slots';
import { createEmfSink, isEmfLine, type EmfSink } from './emf-lines';
import { defaultBundleCacheDir } from './bundle-cache';
import { createFunctionCode, type CodeMode, type FunctionCode } from './function-code';
import { lambdaNode } from './lambda-node';
import { aborted, codeNotLoadable, functionNotFound, requestTooLarge } from './lambda-errors';
import { encodeEvent, MAX_REQUEST_BYTES, utf8Bytes } from './payload-limits';
import type { InvokeOptions, InvokeOutcome, LambdaError, LambdaInvoker, LogLine } from './types';
import { createTmpRoot } from './tmp-root';
import { createTmpUsageCheck, type TmpUsageCheck } from './tmp-usage';
import { createWorkerPool, type WorkerPool } from './worker-pool';
import type { LambdaWorker, RunResult } from './worker-process';

export type { LogLine } from './types';

export interface LambdaRuntimeOptions {
  functions: readonly FunctionSpec[];
  /** Common environment for every function (services endpoints, credentials, bucket, table). */
  env: Record<string, string>;
  /** Multiplies every timeout (0.001 turns 900 s into 0.9 s). Default 1. */
  timeScale?: number;
  /** Invocations running at once over all functions; more wait in a FIFO queue. Default max(4, 2 × cpus). */
  maxConcurrency?: number;
  /** Per-function cap (Lambda's reserved concurrency): one number for all, or by name. Default maxConcurrency. */
  maxConcurrencyPerFunction?: number | Record<string, number>;
  region?: string;
  /** Every worker output line. Default: `[FunctionName requestId] text` on stderr. */
  onLog?: (line: LogLine) => void;
  /**
   * Where per-worker TMPDIRs go. Default: a fresh directory under the OS temp dir, removed by close()
   * (or, if this process dies first, by the next runtime created on this machine).
   */
  tmpRoot?: string;
  /** Where workers' EMF metric lines are appended as well (`emfFilePath(dataDir)`). Default: kept in the log only. */
  emfFile?: string;
  /**
   * `bundle` (default): each function's esbuild bundle, the `index.mjs` its zip deploys, on Lambda's Node
   * major. `source`: its TypeScript through tsx on the same node (`--from-source`), for development.
   */
  code?: CodeMode;
  /** Where bundles are kept between runs. Default: node_modules/.cache/longhaul/bundles. */
  bundleCacheDir?: string;
}

export type RuntimeInvokeOutcome = InvokeOutcome & {
  /** True when a new worker had to load the handler first (Lambda's cold start). */
  coldStart: boolean;
  initDurationMs?: number;
};

export interface LambdaRuntimeStats extends SlotStats {
  invocations: number;
  coldStarts: number;
  errors: number;
  timeouts: number;
  workers: { live: number; idle: number; started: number };
}

export interface LambdaRuntime extends LambdaInvoker {
  invoke(nameOrArn: string, payload: unknown, options?: InvokeOptions): Promise<RuntimeInvokeOutcome>;
  /** The local ARN of a function, as ASL placeholders are filled. */
  arnOf(name: string): string;
  readonly region: string;
  /** The directory holding each worker's /tmp (`<tmpRoot>/<Function>-<n>`), and the functions' code and layers. */
  readonly tmpRoot: string;
  stats(): LambdaRuntimeStats;
  /** Kills every worker (and what it spawned), refuses queued invocations, removes the temp dirs. */
  close(): Promise<void>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Lambda's init phase may take up to 10 s before the invocation's own timeout starts. */
const INIT_TIMEOUT_MS = 10_000;

export function defaultMaxConcurrency(): number {
  return Math.max(4, cpus().length * 2);
}

export function formatLogLine(line: LogLine): string {
  return `[${line.functionName} ${line.requestId}] ${line.text}`;
}

function printLogLine(line: LogLine): void {
  process.stderr.write(`${formatLogLine(line)}\n`);
}

function validate(opts: LambdaRuntimeOptions): void {
  const names = new Set<string>();
  for (const spec of opts.functions) {
    if (names.has(spec.name)) throw new Error(`functions: "${spec.name}" is listed twice`);
    names.add(spec.name);
    if (!(spec.timeoutSeconds > 0)) throw new Error(`functions.${spec.name}.timeoutSeconds must be > 0, got ${spec.timeoutSeconds}`);
    if (!(spec.memoryMb >= 128)) throw new Error(`functions.${spec.name}.memoryMb must be >= 128, got ${spec.memoryMb}`);
  }
  const scale = opts.timeScale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`timeScale must be a positive number, got ${opts.timeScale}`);
  const per = opts.maxConcurrencyPerFunction;
  if (per && typeof per === 'object') {
    for (const name of Object.keys(per)) {
      if (!names.has(name)) throw new Error(`maxConcurrencyPerFunction: unknown function "${name}"`);
    }
  }
}

interface RuntimeSettings {
  region: string;
  timeScale: number;
  onLog: (line: LogLine) => void;
  maxConcurrency: number;
  tmpRoot: string;
  /** A tmpRoot the runtime created itself is its to remove on close. */
  ownsTmpRoot: boolean;
  emf?: EmfSink;
}

function resolveSettings(opts: LambdaRuntimeOptions): RuntimeSettings {
  const emf = opts.emfFile === undefined ? undefined : createEmfSink(opts.emfFile);
  return {
    region: opts.region ?? DEFAULT_REGION,
    timeScale: opts.timeScale ?? 1,
    onLog: emf ? keepingEmf(opts.onLog ?? printLogLine, emf) : (opts.onLog ?? printLogLine),
    emf,
    maxConcurrency: opts.maxConcurrency ?? defaultMaxConcurrency(),
    ownsTmpRoot: opts.tmpRoot === undefined,
    tmpRoot: opts.tmpRoot ?? createTmpRoot(),
  };
}

/** What CloudWatch Logs does with an EMF line in AWS: the line stays in the log and its metrics are kept. */
function keepingEmf(onLog: (line: LogLine) => void, emf: EmfSink): (line: LogLine) => void {
  return (line) => {
    if (line.stream === 'stdout' && isEmfLine(line.text)) emf.write(line.text);
    onLog(line);
  };
}

function scaledTimeoutMs(spec: FunctionSpec, timeScale: number): number {
  return Math.max(1, Math.round(spec.timeoutSeconds * 1000 * timeScale));
}

/** Aborted by close(): refuses queued invocations and kills running ones. */
function createClosingController(): AbortController {
  const closing = new AbortController();
  // Every queued invocation listens for close(): hundreds at once is normal, not a leak.
  setMaxListeners(0, closing.signal);
  return closing;
}

/** What every invocation of one runtime shares. */
interface RuntimeState {
  settings: RuntimeSettings;
  specs: ReadonlyMap<string, FunctionSpec>;
  slots: InvocationSlots;
  pool: WorkerPool;
  code: FunctionCode;
  closing: AbortController;
  counters: { invocations: number; coldStarts: number; errors: number; timeouts: number };
  checkTmpUsage: TmpUsageCheck;
  /** Workers are detached process groups: they would outlive this process unless killed as it exits. */
  killOnExit: () => void;
}

export function createLambdaRuntime(opts: LambdaRuntimeOptions): LambdaRuntime {
  validate(opts);
  // Before anything is created: without Lambda's node there is nothing to run.
  lambdaNode();
  const settings = resolveSettings(opts);
  const { region, timeScale, onLog, maxConcurrency, tmpRoot } = settings;
  const arnOf = (name: string): string => localFunctionArn(name, region);
  const pool = createWorkerPool({
    tmpRoot,
    repoRoot,
    region,
    commonEnv: opts.env,
    maxWorkers: maxConcurrency,
    arnOf,
    scaledTimeoutMs: (spec) => scaledTimeoutMs(spec, timeScale),
    onLog,
  });
  const state: RuntimeState = {
    settings,
    specs: new Map(opts.functions.map((f) => [f.name, f])),
    slots: createInvocationSlots(opts.functions, maxConcurrency, opts.maxConcurrencyPerFunction),
    pool,
    // Task directories and /opt equivalents go beside the workers' /tmp: outside the repository, removed with it.
    code: createFunctionCode({
      mode: opts.code ?? 'bundle',
      repoRoot,
      workDir: tmpRoot,
      bundleCacheDir: opts.bundleCacheDir ?? defaultBundleCacheDir(repoRoot),
    }),
    closing: createClosingController(),
    counters: { invocations: 0, coldStarts: 0, errors: 0, timeouts: 0 },
    checkTmpUsage: createTmpUsageCheck(onLog),
    killOnExit: () => pool.killAllNow(),
  };
  process.on('exit', state.killOnExit);

  return {
    invoke: (nameOrArn, payload, options) => invoke(state, nameOrArn, payload, options),
    arnOf,
    region,
    tmpRoot,
    stats: () => ({ ...state.counters, ...state.slots.stats(), workers: pool.counts() }),
    close: () => close(state),
  };
}

async function invoke(state: RuntimeState, nameOrArn: string, payload: unknown, options: InvokeOptions = {}): Promise<RuntimeInvokeOutcome> {
  if (state.closing.signal.aborted) throw new Error('invoke after the Lambda runtime was closed');
  const requestId = randomUUID();
  state.counters.invocations += 1;
  const request = prepareRequest(state, nameOrArn, payload);
  if (!request.ok) return fail(state, request.error, requestId);
  const signal = options.signal ? AbortSignal.any([options.signal, state.closing.signal]) : state.closing.signal;
  const release = await state.slots.acquire(request.spec.name, signal);
  if (!release) return fail(state, aborted(requestId), requestId);
  try {
    return await runOnWorker(state, request.spec, request.event, requestId, signal);
  } finally {
    release();
  }
}

type PreparedRequest = { ok: true; spec: FunctionSpec; event: string } | { ok: false; error: LambdaError };

/** The function the call names and its event as Lambda receives it, or the Invoke API's refusal. */
function prepareRequest(state: RuntimeState, nameOrArn: string, payload: unknown): PreparedRequest {
  const { region } = state.settings;
  const resolved = resolveFunctionName(nameOrArn, region);
  const spec = resolved.ok ? state.specs.get(resolved.name) : undefined;
  if (!spec) {
    const shown = resolved.ok ? localFunctionArn(resolved.name, region) : `${nameOrArn} (${resolved.reason})`;
    return { ok: false, error: functionNotFound(nameOrArn, shown, [...state.specs.keys()]) };
  }
  const event = encodeEvent(payload);
  const bytes = utf8Bytes(event);
  if (bytes > MAX_REQUEST_BYTES) return { ok: false, error: requestTooLarge(bytes) };
  return { ok: true, spec, event };
}

function fail(state: RuntimeState, error: LambdaError, requestId: string): RuntimeInvokeOutcome {
  state.counters.errors += 1;
  return { ok: false, error, requestId, durationMs: 0, coldStart: false };
}

async function runOnWorker(
  state: RuntimeState,
  spec: FunctionSpec,
  event: string,
  requestId: string,
  signal: AbortSignal,
): Promise<RuntimeInvokeOutcome> {
  const dead = state.pool.takeIdleDeath(spec.name);
  if (dead) return reportIdleDeath(state, dead, spec, requestId);
  let worker = state.pool.checkoutIdle(spec.name);
  if (!worker) {
    // A cold start: the function's code is built or found current first (outside its init timeout:
    // in AWS it was built before the deploy).
    const located = await state.code.locate(spec);
    if (signal.aborted) return fail(state, aborted(requestId), requestId);
    if (!located.ok) return fail(state, codeNotLoadable(spec.name, located.message), requestId);
    // A worker checked in while the code was located takes this invocation warm: no cold start needed.
    worker = state.pool.checkoutIdle(spec.name) ?? state.pool.start(spec, located.location);
  }
  const timeoutMs = scaledTimeoutMs(spec, state.settings.timeScale);
  const result = await worker.run({
    requestId,
    event,
    timeoutMs,
    timeoutSeconds: spec.timeoutSeconds,
    initTimeoutMs: Math.max(INIT_TIMEOUT_MS, timeoutMs),
    signal,
  });
  state.pool.checkin(worker, result.reusable);
  if (result.reusable) state.checkTmpUsage(worker, spec, requestId);
  return outcomeOf(state, result, spec, requestId, timeoutMs);
}

function reportIdleDeath(state: RuntimeState, dead: LambdaWorker, spec: FunctionSpec, requestId: string): RuntimeInvokeOutcome {
  const error = dead.exitError(requestId);
  const text = `${error.errorType}: an execution environment of ${spec.name} crashed after its last invocation returned; reported on this invocation, as Lambda reports a crash of a frozen environment when it thaws`;
  state.settings.onLog({ functionName: spec.name, requestId, stream: 'runtime', text });
  return fail(state, error, requestId);
}

function outcomeOf(state: RuntimeState, result: RunResult, spec: FunctionSpec, requestId: string, timeoutMs: number): RuntimeInvokeOutcome {
  const { counters } = state;
  if (result.coldStart) counters.coldStarts += 1;
  const base = { requestId, durationMs: result.durationMs, coldStart: result.coldStart };
  const extra = result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {};
  if (result.ok) return { ok: true, payload: JSON.parse(result.payload) as unknown, ...base, ...extra };
  counters.errors += 1;
  if (result.timedOut) {
    counters.timeouts += 1;
    explainScaledTimeout(state, spec, requestId, timeoutMs);
  }
  return { ok: false, error: result.error, ...base, ...extra };
}

/** The error quotes the configured timeout, as AWS does; under a time scale, say what really elapsed. */
function explainScaledTimeout(state: RuntimeState, spec: FunctionSpec, requestId: string, timeoutMs: number): void {
  const { timeScale, onLog } = state.settings;
  if (timeScale === 1) return;
  const text = `timed out after ${(timeoutMs / 1000).toFixed(2)} s real time: configured ${spec.timeoutSeconds} s × time scale ${timeScale}`;
  onLog({ functionName: spec.name, requestId, stream: 'runtime', text });
}

async function close(state: RuntimeState): Promise<void> {
  if (state.closing.signal.aborted) return;
  state.closing.abort();
  await state.pool.closeAll();
  await state.settings.emf?.close();
  process.off('exit', state.killOnExit);
  if (state.settings.ownsTmpRoot) rmSync(state.settings.tmpRoot, { recursive: true, force: true });
}
