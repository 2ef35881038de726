// The parent's side of one worker process: spawn it, run invocations on it one at a time, kill it
// (with its whole process group) at the deadline, and turn its death into Lambda's error shapes.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { aborted, initTimedOut, runtimeExited, timedOut } from './lambda-errors';
import { watchGroupMemory } from './memory-watch';
import { createLineSplitter } from './output-lines';
import type { LambdaError, LogLine } from './types';
import type { WorkerInit, WorkerMessage } from './worker-protocol';

const workerMain = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker-main.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Lambda's Node.js runtime leaves ~10% of the function's memory outside the V8 heap. */
export function heapLimitMb(memoryMb: number): number {
  return Math.max(16, Math.floor(memoryMb * 0.9));
}

export interface WorkerSpawnOptions {
  spec: FunctionSpec;
  arn: string;
  env: Record<string, string>;
  tmpDir: string;
  repoRoot: string;
  logStreamName: string;
  onLog(line: LogLine): void;
}

export interface RunRequest {
  requestId: string;
  /** The event as JSON text. */
  event: string;
  timeoutMs: number;
  /** Bound for loading the handler module on a cold start (Lambda's init phase). */
  initTimeoutMs: number;
  /** The configured, unscaled timeout, for the error message. */
  timeoutSeconds: number;
  signal?: AbortSignal;
}

export type RunPayload = { ok: true; payload: string } | { ok: false; error: LambdaError };

export type RunResult = RunPayload & {
  coldStart: boolean;
  initDurationMs?: number;
  /** Handler time only, from the invoke message to the reply (init excluded, as Lambda's Duration). */
  durationMs: number;
  timedOut: boolean;
  /** False when the worker died or must not be trusted again; the pool then drops it. */
  reusable: boolean;
};

export interface LambdaWorker {
  readonly pid: number;
  readonly tmpDir: string;
  readonly functionName: string;
  /** Resolves once the process has exited and its output is fully read. */
  readonly closed: Promise<void>;
  isAlive(): boolean;
  run(request: RunRequest): Promise<RunResult>;
  /** SIGKILL to the whole process group. Safe to call at any time. */
  kill(): void;
  /** Lambda's error for this worker's death (after `closed`), worded for the invocation `requestId`. */
  exitError(requestId: string): LambdaError;
}

type WorkerEvent = { kind: 'message'; message: WorkerMessage } | { kind: 'mark' } | { kind: 'closed' };

/** How long to wait for the end-of-output marks after a reply before giving up on late lines. */
const MARK_GRACE_MS = 1000;
/** After exit, how long to wait for the pipes to close (a grandchild that escaped the group may hold them). */
const CLOSE_GRACE_MS = 2000;

export function spawnWorker(opts: WorkerSpawnOptions): LambdaWorker {
  const { spec } = opts;
  const child = spawn(
    process.execPath,
    ['--import', tsxLoader, `--max-old-space-size=${heapLimitMb(spec.memoryMb)}`, workerMain],
    {
      cwd: opts.repoRoot,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    },
  );
  const pid = child.pid ?? -1;
  let listener: ((event: WorkerEvent) => void) | undefined;
  let ready = false;
  let initDurationMs: number | undefined;
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  let outOfMemory = false;
  let isClosed = false;
  let logRequestId = 'init';

  const dispatch = (event: WorkerEvent): void => listener?.(event);

  /** Keep the parent alive only while the worker has work; idle warm workers must not block exit. */
  const setRef = (on: boolean): void => {
    const handles = [child, child.stdout, child.stderr, child.channel] as ({ ref(): void; unref(): void } | null | undefined)[];
    for (const h of handles) {
      if (h) on ? h.ref() : h.unref();
    }
  };

  const kill = (): void => {
    if (pid <= 0) return;
    // Whoever kills a worker may wait for it to be gone: its handles must hold the event loop until then.
    if (!isClosed) setRef(true);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Group already gone; fine.
    }
  };

  const streams = { stdout: child.stdout!, stderr: child.stderr! };
  for (const [name, stream] of Object.entries(streams) as ['stdout' | 'stderr', NodeJS.ReadableStream][]) {
    stream.setEncoding('utf8');
    const splitter = createLineSplitter(
      (text) => {
        if (name === 'stderr' && text.includes('JavaScript heap out of memory')) outOfMemory = true;
        opts.onLog({ functionName: spec.name, requestId: logRequestId, stream: name, text });
      },
      () => dispatch({ kind: 'mark' }),
    );
    stream.on('data', (chunk: string) => splitter.push(chunk));
    stream.on('end', () => splitter.flush());
  }

  const closed = new Promise<void>((resolve) => {
    let graceTimer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (isClosed) return;
      isClosed = true;
      clearTimeout(graceTimer);
      dispatch({ kind: 'closed' });
      resolve();
    };
    child.on('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      // Orphans (an ffmpeg the handler started) are still in the group: take them down with it.
      kill();
      graceTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, CLOSE_GRACE_MS);
    });
    child.on('close', finish);
    child.on('error', (err) => {
      opts.onLog({ functionName: spec.name, requestId: logRequestId, stream: 'runtime', text: `worker failed: ${err.message}` });
      finish();
    });
  });
  child.on('message', (message: WorkerMessage) => dispatch({ kind: 'message', message }));
  setRef(false);

  const send = (message: WorkerInit | { type: 'invoke'; requestId: string; event: string; deadlineMs: number }): void => {
    // A send to a dying worker fails; its exit then settles the invocation.
    child.send(message, (err) => void err);
  };

  const deathError = (requestId: string): LambdaError => runtimeExited(requestId, exitCode, exitSignal, outOfMemory);

  function initialize(request: RunRequest): Promise<{ ok: true } | { ok: false; error: LambdaError }> {
    return new Promise((resolve) => {
      let initTimedOutFlag = false;
      let abortedFlag = false;
      const timer = setTimeout(() => {
        initTimedOutFlag = true;
        kill();
      }, request.initTimeoutMs);
      const onAbort = (): void => {
        abortedFlag = true;
        kill();
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const done = (result: { ok: true } | { ok: false; error: LambdaError }): void => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        listener = undefined;
        resolve(result);
      };
      listener = (event) => {
        if (event.kind === 'message' && event.message.type === 'ready') {
          ready = true;
          initDurationMs = event.message.initDurationMs;
          done({ ok: true });
        } else if (event.kind === 'message' && event.message.type === 'init-error') {
          kill();
          done({ ok: false, error: event.message.error });
        } else if (event.kind === 'closed') {
          const id = request.requestId;
          if (abortedFlag) done({ ok: false, error: aborted(id) });
          else if (initTimedOutFlag) done({ ok: false, error: initTimedOut(id, request.initTimeoutMs / 1000) });
          else done({ ok: false, error: deathError(id) });
        }
      };
      if (isClosed) dispatch({ kind: 'closed' });
      else {
        send({
          type: 'init',
          entry: spec.entry,
          functionName: spec.name,
          memoryMb: spec.memoryMb,
          invokedFunctionArn: opts.arn,
          logGroupName: `/aws/lambda/${spec.name}`,
          logStreamName: opts.logStreamName,
        });
      }
    });
  }

  type InvokeResult = RunPayload & { durationMs: number; timedOut: boolean; reusable: boolean };

  function invokeOnce(request: RunRequest): Promise<InvokeResult> {
    return new Promise((resolve) => {
      const started = performance.now();
      let timedOutFlag = false;
      let abortedFlag = false;
      let reply: Extract<WorkerMessage, { type: 'result' | 'error' }> | undefined;
      let marks = 0;
      let graceTimer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOutFlag = true;
        kill();
      }, request.timeoutMs);
      const onAbort = (): void => {
        if (reply) return;
        abortedFlag = true;
        kill();
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const stopMemoryWatch = watchGroupMemory(pid, spec.memoryMb, (rssMb) => {
        if (reply || timedOutFlag || abortedFlag) return;
        outOfMemory = true;
        opts.onLog({
          functionName: spec.name,
          requestId: request.requestId,
          stream: 'runtime',
          text: `Runtime.OutOfMemory: the function's processes use ${rssMb} MB, over its ${spec.memoryMb} MB: killed`,
        });
        kill();
      });

      const settle = (payload: RunPayload, reusable: boolean): void => {
        stopMemoryWatch();
        clearTimeout(timer);
        clearTimeout(graceTimer);
        request.signal?.removeEventListener('abort', onAbort);
        listener = undefined;
        resolve({ ...payload, reusable, timedOut: timedOutFlag, durationMs: performance.now() - started });
      };
      const settleWithReply = (): void => {
        const r = reply!;
        if (r.type === 'result') settle({ ok: true, payload: r.payload }, !isClosed);
        else settle({ ok: false, error: r.error }, !r.fatal && !isClosed);
      };
      listener = (event) => {
        if (event.kind === 'mark') {
          marks += 1;
          if (reply && marks >= reply.marks) settleWithReply();
        } else if (event.kind === 'message') {
          const m = event.message;
          if ((m.type !== 'result' && m.type !== 'error') || m.requestId !== request.requestId) return;
          if (timedOutFlag || abortedFlag || reply) return;
          reply = m;
          clearTimeout(timer);
          if (marks >= m.marks) settleWithReply();
          else graceTimer = setTimeout(settleWithReply, MARK_GRACE_MS);
        } else if (reply) {
          settleWithReply();
        } else {
          const id = request.requestId;
          const error = timedOutFlag ? timedOut(id, request.timeoutSeconds) : abortedFlag ? aborted(id) : deathError(id);
          settle({ ok: false, error }, false);
        }
      };
      if (isClosed) dispatch({ kind: 'closed' });
      else send({ type: 'invoke', requestId: request.requestId, event: request.event, deadlineMs: Date.now() + request.timeoutMs });
    });
  }

  async function run(request: RunRequest): Promise<RunResult> {
    if (listener) throw new Error(`worker ${pid} of ${spec.name} is already running an invocation`);
    logRequestId = request.requestId;
    setRef(true);
    try {
      const coldStart = !ready;
      if (!ready) {
        const init = await initialize(request);
        if (!init.ok) return { ok: false, error: init.error, coldStart, durationMs: 0, timedOut: false, reusable: false };
      }
      const result = await invokeOnce(request);
      return { ...result, coldStart, ...(coldStart ? { initDurationMs } : {}) };
    } finally {
      if (!isClosed) setRef(false);
    }
  }

  return {
    pid,
    tmpDir: opts.tmpDir,
    functionName: spec.name,
    closed,
    isAlive: () => !isClosed && exitCode === null && exitSignal === null,
    run,
    kill,
    exitError: deathError,
  };
}
