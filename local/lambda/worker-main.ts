// Entry point of a worker process: one warm Lambda execution environment running one function.
// It loads the handler once (init), then runs one invocation at a time as the parent asks.
// It runs as an esbuild bundle of itself on Lambda's node (or through tsx with --from-source), so it
// imports only the small modules of the protocol, never the runner's.
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fromThrown, responseTooLarge } from './lambda-errors';
import { resolveBareImportsFromNodePath } from './node-path-imports';
import { MAX_RESPONSE_BYTES, utf8Bytes } from './payload-limits';
import type { LambdaContext, LambdaError } from './types';
import {
  END_OF_INVOCATION_MARK,
  WORKER_TMPDIR_VAR,
  type ParentMessage,
  type WorkerInit,
  type WorkerInvoke,
  type WorkerMessage,
} from './worker-protocol';

type Handler = (event: unknown, context: LambdaContext, callback?: (err: unknown, result?: unknown) => void) => unknown;

let init: WorkerInit | undefined;
let handler: Handler | undefined;
let currentRequestId: string | undefined;

/** The worker leads its own process group: killing the group also ends whatever the handler spawned. */
function killOwnGroup(): never {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    // Not a group leader (started by hand): fall through to a plain exit.
  }
  process.exit(137);
}

function send(message: WorkerMessage): void {
  if (process.connected) process.send!(message);
}

let watchdogStarted = false;

/**
 * A busy handler blocks this thread's event loop, so 'disconnect' alone cannot notice that the parent
 * died. A watchdog thread with its own loop checks the parent pid and takes the whole group down.
 * Started with the first invocation, the only code that may block for long: a thread costs tens of ms
 * of CPU, which would otherwise lengthen every cold start. (A parent that dies while the handler's
 * module loads is noticed by 'disconnect' once the load is over.)
 */
function startOrphanWatchdog(): void {
  if (watchdogStarted) return;
  watchdogStarted = true;
  const code = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => {
      if (process.ppid !== workerData.ppid) {
        try { process.kill(-workerData.pgid, 'SIGKILL'); } catch { process.kill(workerData.pgid, 'SIGKILL'); }
      }
    }, 250);`;
  const watchdog = new Worker(code, { eval: true, workerData: { ppid: process.ppid, pgid: process.pid } });
  watchdog.unref();
}

/** Streams written to since the last mark; a silent invocation needs no mark and no wait. */
const printedSinceMark = new Set<1 | 2>();

function watchOutput(): void {
  for (const [fd, stream] of [
    [1, process.stdout],
    [2, process.stderr],
  ] as const) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((...args: unknown[]) => {
      printedSinceMark.add(fd);
      return write(...args);
    }) as typeof stream.write;
  }
}

/** Returns how many marks were written. */
function markEndOfOutput(): number {
  let marks = 0;
  // Synchronous writes: everything the handler printed is already in the pipes ahead of the mark.
  for (const fd of printedSinceMark) {
    try {
      writeSync(fd, `${END_OF_INVOCATION_MARK}\n`);
      marks += 1;
    } catch {
      // A closed stdio stream must not turn a finished invocation into a crash.
    }
  }
  printedSinceMark.clear();
  return marks;
}

async function loadHandler(message: WorkerInit): Promise<void> {
  const started = performance.now();
  init = message;
  let mod: Record<string, unknown>;
  try {
    if (message.resolveFromNodePath) resolveBareImportsFromNodePath(process.env.NODE_PATH);
    mod = (await import(pathToFileURL(message.handlerModule).href)) as Record<string, unknown>;
  } catch (err) {
    const error = fromThrown(err);
    const notFound = (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    send({ type: 'init-error', error: notFound ? { ...error, errorType: 'Runtime.ImportModuleError' } : error });
    return;
  }
  if (typeof mod.handler !== 'function') {
    send({
      type: 'init-error',
      error: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${message.handler} is undefined or not exported` },
    });
    return;
  }
  handler = mod.handler as Handler;
  send({ type: 'ready', initDurationMs: performance.now() - started });
}

function contextFor(message: WorkerInvoke, fn: WorkerInit): LambdaContext {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.invokedFunctionArn,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: message.requestId,
    logGroupName: fn.logGroupName,
    logStreamName: fn.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
  };
}

/** Node 22's runtime still honours callback-style handlers (three parameters). */
function callHandler(fn: Handler, event: unknown, context: LambdaContext): Promise<unknown> {
  if (fn.length >= 3) {
    return new Promise((resolve, reject) => {
      const returned = fn(event, context, (err, result) => (err ? reject(err) : resolve(result)));
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      }
    });
  }
  return Promise.resolve().then(() => fn(event, context));
}

async function runInvocation(message: WorkerInvoke): Promise<void> {
  if (!init || !handler) throw new Error('invoke before a successful init');
  currentRequestId = message.requestId;
  const { requestId } = message;
  startOrphanWatchdog();
  let outcome: { payload: string } | { error: LambdaError };
  try {
    const result = await callHandler(handler, JSON.parse(message.event), contextFor(message, init));
    const payload = JSON.stringify(result === undefined ? null : result);
    outcome = utf8Bytes(payload) > MAX_RESPONSE_BYTES ? { error: responseTooLarge() } : { payload };
  } catch (err) {
    outcome = { error: fromThrown(err) };
  }
  currentRequestId = undefined;
  const marks = markEndOfOutput();
  send('payload' in outcome ? { type: 'result', requestId, payload: outcome.payload, marks } : { type: 'error', requestId, error: outcome.error, fatal: false, marks });
}

/** Errors escaping the handler's promise chain end the environment, as they do on Lambda. */
function failFatally(errorType: string | undefined, err: unknown): void {
  const error = fromThrown(err);
  console.error(`${errorType ?? error.errorType}: ${error.errorMessage}`);
  if (currentRequestId) {
    const marks = markEndOfOutput();
    send({
      type: 'error',
      requestId: currentRequestId,
      error: errorType ? { ...error, errorType, errorMessage: `${error.errorType}: ${error.errorMessage}` } : error,
      fatal: true,
      marks,
    });
  }
  // Give the IPC message a moment to leave before the parent sees the exit.
  setTimeout(() => process.exit(1), 50).unref();
}

/** Lambda's /tmp: set only now, after tsx (from source) has settled its compile cache in the shared temp dir. */
function enterOwnTmpDir(): void {
  const dir = process.env[WORKER_TMPDIR_VAR];
  if (dir) process.env.TMPDIR = dir;
  delete process.env[WORKER_TMPDIR_VAR];
}

enterOwnTmpDir();
watchOutput();
process.on('disconnect', killOwnGroup);
process.on('unhandledRejection', (reason) => failFatally('Runtime.UnhandledPromiseRejection', reason));
process.on('uncaughtException', (err) => failFatally(undefined, err));
process.on('message', (message: ParentMessage) => {
  if (message.type === 'init') void loadHandler(message);
  else if (message.type === 'invoke') void runInvocation(message);
});
