// Messages between the runtime (parent) and a worker process over the IPC channel.
import type { LambdaError } from './types';

/** The worker moves this into TMPDIR once its loader is in, so tsx's compile cache stays in the shared temp dir. */
export const WORKER_TMPDIR_VAR = 'LONGHAUL_WORKER_TMPDIR';

/** Static facts about the function, sent once when the worker starts (Lambda's init phase). */
export interface WorkerInit {
  type: 'init';
  /** Absolute path of the module exporting the handler. */
  handlerModule: string;
  /** Lambda's handler setting (`index.handler`), as its errors name it. */
  handler: string;
  /** Bare imports the module cannot resolve are looked up in NODE_PATH, as Lambda's Node runtime does for ES modules. */
  resolveFromNodePath: boolean;
  functionName: string;
  memoryMb: number;
  invokedFunctionArn: string;
  logGroupName: string;
  logStreamName: string;
}

export interface WorkerInvoke {
  type: 'invoke';
  requestId: string;
  /** The event as JSON text, parsed in the worker as Lambda's runtime parses it. */
  event: string;
  /** Epoch milliseconds (shared wall clock) at which the runtime kills the worker. */
  deadlineMs: number;
}

export type ParentMessage = WorkerInit | WorkerInvoke;

export type WorkerMessage =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'init-error'; error: LambdaError }
  /**
   * `payload` is the handler's result as JSON text, already checked against the response quota.
   * `marks`: how many end-of-output marks the worker wrote (one per stream the invocation printed to).
   */
  | { type: 'result'; requestId: string; payload: string; marks: number }
  | { type: 'error'; requestId: string; error: LambdaError; fatal: boolean; marks: number };

/**
 * Written by the worker after an invocation to each stream it printed to, so the parent knows every
 * output line of that invocation has arrived before it resolves (IPC and pipes are separate channels).
 */
export const END_OF_INVOCATION_MARK = '\u0000longhaul:end-of-invocation\u0000';
