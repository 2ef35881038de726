// One worker process as the parent sees it: a single stream of events (its IPC messages, the
// end-of-invocation marks in its output, its close) heard by one phase at a time (the init phase, then
// each invocation), and a kill that takes its whole process group, ffmpeg included.
import { spawn, type ChildProcess } from 'node:child_process';
import type { FunctionSpec } from '../../handlers/catalog-types';
import type { FunctionCodeLocation } from './function-code';
import { runtimeExited } from './lambda-errors';
import { createLineSplitter } from './output-lines';
import type { LambdaError, LogLine } from './types';
import type { ParentMessage, WorkerMessage } from './worker-protocol';

/** After exit, how long to wait for the pipes to close (a grandchild that escaped the group may hold them). */
const CLOSE_GRACE_MS = 2000;

/** What V8 prints on stderr as it dies of heap exhaustion. */
const HEAP_OUT_OF_MEMORY = 'JavaScript heap out of memory';

/** Lambda's Node.js runtime leaves ~10% of the function's memory outside the V8 heap. */
export function heapLimitMb(memoryMb: number): number {
  return Math.max(16, Math.floor(memoryMb * 0.9));
}

export type WorkerEvent = { kind: 'message'; message: WorkerMessage } | { kind: 'mark' } | { kind: 'closed' };

export type WorkerListener = (event: WorkerEvent) => void;

export interface WorkerChannelOptions {
  spec: FunctionSpec;
  env: Record<string, string>;
  code: FunctionCodeLocation;
  onLog(line: LogLine): void;
}

export interface WorkerChannel {
  readonly pid: number;
  /** Resolves once the process has exited and its output is fully read. */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  isAlive(): boolean;
  /** True while a phase listens, i.e. the worker is running an init or an invocation. */
  isBusy(): boolean;
  /** The worker's output lines from now on belong to this request. */
  attributeOutputTo(requestId: string): void;
  /** A line from the runner itself about this worker. */
  logRuntime(requestId: string, text: string): void;
  /** The worker is being killed for its memory: its death then reads Runtime.OutOfMemory. */
  markOutOfMemory(): void;
  /** `listener` hears the worker's events from now on; a worker already gone is heard as `closed` at once. */
  begin(listener: WorkerListener, message: ParentMessage): void;
  /** The phase is over: nobody hears the worker's events until the next `begin`. */
  end(): void;
  /** SIGKILL to the whole process group. Safe to call at any time. */
  kill(): void;
  /** Whether the worker's handles keep the parent's event loop alive. */
  holdEventLoop(on: boolean): void;
  /** Lambda's error for this worker's death (after `closed`), worded for the invocation `requestId`. */
  deathError(requestId: string): LambdaError;
}

export function openWorkerChannel(opts: WorkerChannelOptions): WorkerChannel {
  const child = startWorkerProcess(opts);
  const pid = child.pid ?? -1;
  let listener: WorkerListener | undefined;
  let outputRequestId = 'init';
  let outOfMemory = false;
  let isClosed = false;
  let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };

  const dispatch = (event: WorkerEvent): void => listener?.(event);
  const holdEventLoop = (on: boolean): void => setHandlesRef(child, on);
  const log = (requestId: string, stream: LogLine['stream'], text: string): void =>
    opts.onLog({ functionName: opts.spec.name, requestId, stream, text });
  const kill = (): void => {
    if (pid <= 0) return;
    // Whoever kills a worker may wait for it to be gone: its handles must hold the event loop until then.
    if (!isClosed) holdEventLoop(true);
    killProcessGroup(pid);
  };

  forwardOutputLines(child, {
    onLine(stream, text) {
      if (stream === 'stderr' && text.includes(HEAP_OUT_OF_MEMORY)) outOfMemory = true;
      log(outputRequestId, stream, text);
    },
    onMark: () => dispatch({ kind: 'mark' }),
  });
  const closed = watchClose(child, {
    onExit(code, signal) {
      exit = { code, signal };
      // Orphans (an ffmpeg the handler started) are still in the group: take them down with it.
      kill();
    },
    onError: (err) => log(outputRequestId, 'runtime', `worker failed: ${err.message}`),
    onClosed() {
      isClosed = true;
      dispatch({ kind: 'closed' });
    },
  });
  child.on('message', (message: WorkerMessage) => dispatch({ kind: 'message', message }));
  holdEventLoop(false);

  return {
    pid,
    closed,
    isClosed: () => isClosed,
    isAlive: () => !isClosed && exit.code === null && exit.signal === null,
    isBusy: () => listener !== undefined,
    attributeOutputTo(requestId) {
      outputRequestId = requestId;
    },
    logRuntime: (requestId, text) => log(requestId, 'runtime', text),
    markOutOfMemory() {
      outOfMemory = true;
    },
    begin(phaseListener, message) {
      listener = phaseListener;
      if (isClosed) dispatch({ kind: 'closed' });
      // A send to a dying worker fails; its exit then settles the phase.
      else child.send(message, (err) => void err);
    },
    end() {
      listener = undefined;
    },
    kill,
    holdEventLoop,
    deathError: (requestId) => runtimeExited(requestId, exit.code, exit.signal, outOfMemory),
  };
}

function startWorkerProcess(opts: WorkerChannelOptions): ChildProcess {
  const { code } = opts;
  return spawn(code.node, [...code.execArgv, `--max-old-space-size=${heapLimitMb(opts.spec.memoryMb)}`, code.bootstrap], {
    cwd: code.taskRoot,
    env: opts.env,
    // Its own process group, so one kill takes whatever the handler started too.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
}

/** Keep the parent alive only while the worker has work; idle warm workers must not block exit. */
function setHandlesRef(child: ChildProcess, on: boolean): void {
  const handles = [child, child.stdout, child.stderr, child.channel] as ({ ref(): void; unref(): void } | null | undefined)[];
  for (const h of handles) {
    if (h) on ? h.ref() : h.unref();
  }
}

function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Group already gone; fine.
  }
}

interface OutputHooks {
  onLine(stream: 'stdout' | 'stderr', text: string): void;
  onMark(): void;
}

function forwardOutputLines(child: ChildProcess, hooks: OutputHooks): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = child[name]!;
    stream.setEncoding('utf8');
    const splitter = createLineSplitter((text) => hooks.onLine(name, text), hooks.onMark);
    stream.on('data', (chunk: string) => splitter.push(chunk));
    stream.on('end', () => splitter.flush());
  }
}

interface CloseHooks {
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
  onError(err: Error): void;
  /** Called once, when the process is gone and its output read (or given up on). */
  onClosed(): void;
}

/** Resolves when the process has exited and its pipes closed, or CLOSE_GRACE_MS after exit if they stay open. */
function watchClose(child: ChildProcess, hooks: CloseHooks): Promise<void> {
  return new Promise<void>((resolve) => {
    let finished = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(graceTimer);
      hooks.onClosed();
      resolve();
    };
    child.on('exit', (code, signal) => {
      hooks.onExit(code, signal);
      graceTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, CLOSE_GRACE_MS);
    });
    child.on('close', finish);
    child.on('error', (err) => {
      hooks.onError(err);
      finish();
    });
  });
}
