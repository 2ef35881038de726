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
import { createConcurrencyLimiter, type ConcurrencyLimiter } from './concurrency-limiter';
import { resolveFunctionName } from './function-name';
import { aborted, functionNotFound, requestTooLarge } from './lambda-errors';
import { encodeEvent, MAX_REQUEST_BYTES, utf8Bytes } from './payload-limits';
import type { InvokeOptions, InvokeOutcome, LambdaError, LambdaInvoker, LogLine } from './types';
import { createTmpRoot } from './tmp-root';
import { tmpOverLimitWarning } from './tmp-usage';
import { createWorkerPool } from './worker-pool';
import type { LambdaWorker } from './worker-process';

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
}

export type RuntimeInvokeOutcome = InvokeOutcome & {
  /** True when a new worker had to load the handler first (Lambda's cold start). */
  coldStart: boolean;
  initDurationMs?: number;
};

export interface LambdaRuntimeStats {
  invocations: number;
  coldStarts: number;
  errors: number;
  timeouts: number;
  running: number;
  queued: number;
  /** Most invocations ever running at once, overall and per function. */
  peakConcurrency: number;
  peakConcurrencyByFunction: Record<string, number>;
  workers: { live: number; idle: number; started: number };
}

export interface LambdaRuntime extends LambdaInvoker {
  invoke(nameOrArn: string, payload: unknown, options?: InvokeOptions): Promise<RuntimeInvokeOutcome>;
  /** The local ARN of a function, as ASL placeholders are filled. */
  arnOf(name: string): string;
  readonly region: string;
  /** The directory holding each worker's /tmp (`<tmpRoot>/<Function>-<n>`). */
  readonly tmpRoot: string;
  stats(): LambdaRuntimeStats;
  /** Kills every worker (and what it spawned), refuses queued invocations, removes the temp dirs. */
  close(): Promise<void>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const TMP_CHECK_INTERVAL_MS = 1000;

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

export function createLambdaRuntime(opts: LambdaRuntimeOptions): LambdaRuntime {
  validate(opts);
  const region = opts.region ?? DEFAULT_REGION;
  const timeScale = opts.timeScale ?? 1;
  const onLog = opts.onLog ?? printLogLine;
  const maxConcurrency = opts.maxConcurrency ?? defaultMaxConcurrency();
  const specs = new Map(opts.functions.map((f) => [f.name, f]));
  const ownsTmpRoot = opts.tmpRoot === undefined;
  const tmpRoot = opts.tmpRoot ?? createTmpRoot();
  const arnOf = (name: string): string => localFunctionArn(name, region);
  const scaledTimeoutMs = (spec: FunctionSpec): number => Math.max(1, Math.round(spec.timeoutSeconds * 1000 * timeScale));

  const overall = createConcurrencyLimiter(maxConcurrency);
  const perFunction = new Map<string, ConcurrencyLimiter>();
  for (const spec of opts.functions) {
    const per = opts.maxConcurrencyPerFunction;
    const cap = typeof per === 'number' ? per : (per?.[spec.name] ?? maxConcurrency);
    perFunction.set(spec.name, createConcurrencyLimiter(cap));
  }

  const pool = createWorkerPool({
    tmpRoot,
    repoRoot,
    region,
    commonEnv: opts.env,
    maxWorkers: maxConcurrency,
    arnOf,
    scaledTimeoutMs,
    onLog,
  });

  const closing = new AbortController();
  // Every queued invocation listens for close(): hundreds at once is normal, not a leak.
  setMaxListeners(0, closing.signal);
  const counters = { invocations: 0, coldStarts: 0, errors: 0, timeouts: 0 };
  // Counted only once both slots are held, so queued invocations never inflate a function's peak.
  const running = new Map<string, { now: number; peak: number }>(opts.functions.map((f) => [f.name, { now: 0, peak: 0 }]));
  const killOnExit = (): void => pool.killAllNow();
  process.on('exit', killOnExit);

  // Walking /tmp after every call would cost a quarter of a no-op invocation: once a second per worker.
  const lastTmpCheck = new WeakMap<LambdaWorker, number>();
  const checkTmpUsage = (worker: LambdaWorker, spec: FunctionSpec, requestId: string): void => {
    const now = performance.now();
    if (now - (lastTmpCheck.get(worker) ?? -Infinity) < TMP_CHECK_INTERVAL_MS) return;
    lastTmpCheck.set(worker, now);
    void tmpOverLimitWarning(worker.tmpDir, spec.ephemeralStorageMb).then((text) => {
      if (text) onLog({ functionName: spec.name, requestId, stream: 'runtime', text });
    });
  };

  const fail = (error: LambdaError, requestId: string): RuntimeInvokeOutcome => {
    counters.errors += 1;
    return { ok: false, error, requestId, durationMs: 0, coldStart: false };
  };

  async function invoke(nameOrArn: string, payload: unknown, options: InvokeOptions = {}): Promise<RuntimeInvokeOutcome> {
    if (closing.signal.aborted) throw new Error('invoke after the Lambda runtime was closed');
    const requestId = randomUUID();
    counters.invocations += 1;
    const resolved = resolveFunctionName(nameOrArn, region);
    const spec = resolved.ok ? specs.get(resolved.name) : undefined;
    if (!spec) {
      const shown = resolved.ok ? arnOf(resolved.name) : `${nameOrArn} (${resolved.reason})`;
      return fail(functionNotFound(nameOrArn, shown, [...specs.keys()]), requestId);
    }
    const event = encodeEvent(payload);
    const bytes = utf8Bytes(event);
    if (bytes > MAX_REQUEST_BYTES) return fail(requestTooLarge(bytes), requestId);

    // Excess invocations wait rather than fail: Step Functions would retry Lambda's throttling error
    // (TooManyRequestsException) with backoff anyway, and a laptop has few cores.
    const signal = options.signal ? AbortSignal.any([options.signal, closing.signal]) : closing.signal;
    const fnLimiter = perFunction.get(spec.name)!;
    if (!(await fnLimiter.acquire(signal))) return fail(aborted(requestId), requestId);
    if (!(await overall.acquire(signal))) {
      fnLimiter.release();
      return fail(aborted(requestId), requestId);
    }
    const mine = running.get(spec.name)!;
    mine.now += 1;
    mine.peak = Math.max(mine.peak, mine.now);
    try {
      const dead = pool.takeIdleDeath(spec.name);
      if (dead) {
        const error = dead.exitError(requestId);
        const text = `${error.errorType}: an execution environment of ${spec.name} crashed after its last invocation returned; reported on this invocation, as Lambda reports a crash of a frozen environment when it thaws`;
        onLog({ functionName: spec.name, requestId, stream: 'runtime', text });
        counters.errors += 1;
        return { ok: false, error, requestId, durationMs: 0, coldStart: false };
      }
      const worker = pool.checkout(spec);
      const timeoutMs = scaledTimeoutMs(spec);
      const result = await worker.run({
        requestId,
        event,
        timeoutMs,
        timeoutSeconds: spec.timeoutSeconds,
        initTimeoutMs: Math.max(INIT_TIMEOUT_MS, timeoutMs),
        signal,
      });
      pool.checkin(worker, result.reusable);
      if (result.reusable) checkTmpUsage(worker, spec, requestId);
      if (result.coldStart) counters.coldStarts += 1;
      const base = { requestId, durationMs: result.durationMs, coldStart: result.coldStart };
      const extra = result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {};
      if (result.ok) return { ok: true, payload: JSON.parse(result.payload) as unknown, ...base, ...extra };
      counters.errors += 1;
      if (result.timedOut) {
        counters.timeouts += 1;
        if (timeScale !== 1) {
          const text = `timed out after ${(timeoutMs / 1000).toFixed(2)} s real time: configured ${spec.timeoutSeconds} s × time scale ${timeScale}`;
          onLog({ functionName: spec.name, requestId, stream: 'runtime', text });
        }
      }
      return { ok: false, error: result.error, ...base, ...extra };
    } finally {
      mine.now -= 1;
      overall.release();
      fnLimiter.release();
    }
  }

  return {
    invoke,
    arnOf,
    region,
    tmpRoot,
    stats() {
      const peakConcurrencyByFunction: Record<string, number> = {};
      let queued = overall.queued;
      for (const limiter of perFunction.values()) queued += limiter.queued;
      for (const [name, count] of running) peakConcurrencyByFunction[name] = count.peak;
      return {
        ...counters,
        running: overall.active,
        queued,
        peakConcurrency: overall.peak,
        peakConcurrencyByFunction,
        workers: pool.counts(),
      };
    },
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      await pool.closeAll();
      process.off('exit', killOnExit);
      if (ownsTmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
    },
  };
}
