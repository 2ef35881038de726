// The parent's side of one worker process: start it, run invocations on it one at a time (Lambda's
// init phase first, on a cold start), and tell the pool whether it may serve another.
import type { FunctionSpec } from '../../handlers/catalog-types';
import type { FunctionCodeLocation } from './function-code';
import type { LambdaError, LogLine } from './types';
import { openWorkerChannel } from './worker-channel';
import { initializeWorker } from './worker-init';
import { invokeOnWorker } from './worker-invoke';
import type { WorkerInit } from './worker-protocol';

export interface WorkerSpawnOptions {
  spec: FunctionSpec;
  arn: string;
  env: Record<string, string>;
  tmpDir: string;
  code: FunctionCodeLocation;
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

export function spawnWorker(opts: WorkerSpawnOptions): LambdaWorker {
  const { spec } = opts;
  const channel = openWorkerChannel(opts);
  let ready = false;
  let initDurationMs: number | undefined;

  async function run(request: RunRequest): Promise<RunResult> {
    if (channel.isBusy()) throw new Error(`worker ${channel.pid} of ${spec.name} is already running an invocation`);
    channel.attributeOutputTo(request.requestId);
    channel.holdEventLoop(true);
    try {
      const coldStart = !ready;
      if (coldStart) {
        const init = await initializeWorker(channel, initMessage(opts), request);
        if (!init.ok) return { ok: false, error: init.error, coldStart, durationMs: 0, timedOut: false, reusable: false };
        ready = true;
        initDurationMs = init.initDurationMs;
      }
      const result = await invokeOnWorker(channel, spec, request);
      return { ...result, coldStart, ...(coldStart ? { initDurationMs } : {}) };
    } finally {
      if (!channel.isClosed()) channel.holdEventLoop(false);
    }
  }

  return {
    pid: channel.pid,
    tmpDir: opts.tmpDir,
    functionName: spec.name,
    closed: channel.closed,
    isAlive: channel.isAlive,
    run,
    kill: channel.kill,
    exitError: channel.deathError,
  };
}

/** The function's static facts, as Lambda's init phase knows them before any invocation. */
function initMessage(opts: WorkerSpawnOptions): WorkerInit {
  return {
    type: 'init',
    handlerModule: opts.code.handlerModule,
    handler: opts.code.handler,
    // The bundle is where Lambda's node looks for layers' packages; sources resolve from the repository.
    resolveFromNodePath: opts.code.mode === 'bundle',
    functionName: opts.spec.name,
    memoryMb: opts.spec.memoryMb,
    invokedFunctionArn: opts.arn,
    logGroupName: `/aws/lambda/${opts.spec.name}`,
    logStreamName: opts.logStreamName,
  };
}
