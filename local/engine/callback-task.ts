// Callback tasks (`<integration>.waitForTaskToken`): the token a task puts in `$$.Task.Token`, its
// HeartbeatSeconds, and the wait after the call: TaskSubmitted (the service's response), then whatever
// comes first of SendTaskSuccess, SendTaskFailure, a missed heartbeat (States.HeartbeatTimeout) or the
// task's TimeoutSeconds (States.Timeout, through the task's own controller).
import { abortError, StatesError } from './errors';
import type { EvalEnv } from './eval-env';
import { readPath } from './json-path';
import { toJson } from './json-text';
import { record, recordedNext, type Thread } from './run-context';
import { taskToken, type CallbackOutcome } from './task-tokens';
import { scaledMs, setLongTimeout } from './timers';
import type { TaskState } from './types';

/** What a Task waits at most when it sets no TimeoutSeconds (the guide: "the default value is 99999999"). */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;

const isPositiveInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/**
 * Load time: HeartbeatSeconds must be smaller than TimeoutSeconds (the guide: "a positive, non-zero integer
 * less than the number of seconds specified in the TimeoutSeconds field"), or than the default timeout.
 */
export function checkHeartbeat(state: TaskState, where: string, problems: string[]): void {
  if (!isPositiveInteger(state.HeartbeatSeconds) || state.TimeoutSecondsPath !== undefined) return;
  const timeout = state.TimeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
  if (typeof timeout === 'number' && state.HeartbeatSeconds >= timeout) {
    problems.push(`${where}: HeartbeatSeconds (${state.HeartbeatSeconds}) must be smaller than TimeoutSeconds (${state.TimeoutSeconds ?? `${timeout}, the default`})`);
  }
}

/** HeartbeatSeconds, or the value at HeartbeatSecondsPath, checked against the task's timeout as at load time. */
export function heartbeatOf(name: string, state: TaskState, effective: unknown, timeoutSeconds: number | undefined, env?: EvalEnv): number | undefined {
  let heartbeat = state.HeartbeatSeconds as number | undefined;
  if (state.HeartbeatSecondsPath !== undefined) {
    const value = readPath(effective, state.HeartbeatSecondsPath, 'HeartbeatSecondsPath', env);
    if (!isPositiveInteger(value)) {
      throw new StatesError('States.Runtime', `The HeartbeatSecondsPath of state '${name}' does not reference a positive integer: ${JSON.stringify(value)}`);
    }
    heartbeat = value;
  }
  return checkedHeartbeat(name, heartbeat, timeoutSeconds);
}

/** Why `heartbeat` cannot go with the task's timeout (or the default one): it must be shorter. Undefined when it can. */
export function heartbeatProblem(heartbeat: number | undefined, timeoutSeconds: number | undefined): string | undefined {
  const timeout = timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
  return heartbeat !== undefined && heartbeat >= timeout ? `HeartbeatSeconds (${heartbeat}) must be smaller than TimeoutSeconds (${timeout}).` : undefined;
}

function checkedHeartbeat(name: string, heartbeat: number | undefined, timeoutSeconds: number | undefined): number | undefined {
  const problem = heartbeatProblem(heartbeat, timeoutSeconds);
  if (problem) throw new StatesError('States.Runtime', `State '${name}': ${problem}`);
  return heartbeat;
}

/**
 * The token of the task about to be scheduled on `thread`, made from the id its TaskScheduled event will have:
 * the next id of the history, or the id recorded for it when the execution is replayed.
 */
export function nextTaskToken(thread: Thread): string {
  const id = recordedNext(thread)?.id ?? thread.run.history.events.length + 1;
  return taskToken(thread.run.info.executionArn, id);
}

/** A promise that rejects once `signal` aborts, and the function that stops listening. */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {}); // Observed by the races below; an abort after they settled is nobody's error.
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function timedOut(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof StatesError && (reason.error === 'States.Timeout' || reason.error === 'States.HeartbeatTimeout');
}

export interface CallbackWait {
  thread: Thread;
  /** The task's `resourceType` and `resource`, as its other Task* events carry them. */
  label: { resourceType: string; resource: string };
  token: string;
  heartbeatSeconds?: number;
  /** The task's own controller: a missed heartbeat aborts it, as its TimeoutSeconds does. */
  controller: AbortController;
}

/**
 * Opens the token, makes the call (which may answer at once, e.g. a function calling SendTaskSuccess before it
 * returns), records TaskSubmitted with the call's response, then resolves with SendTaskSuccess's output or
 * throws SendTaskFailure's error, or the abort (timeout, missed heartbeat, stop). A replay that finds the
 * TaskSubmitted recorded does not call again.
 */
export async function callAndWait(wait: CallbackWait, call: () => Promise<unknown>): Promise<unknown> {
  const { thread, controller } = wait;
  const { services } = thread.run;
  const signal = controller.signal;
  const pending = services.taskTokens.open(wait.token);
  let cancelHeartbeat = () => {};
  if (wait.heartbeatSeconds !== undefined) {
    const seconds = wait.heartbeatSeconds;
    const arm = () => {
      cancelHeartbeat();
      cancelHeartbeat = setLongTimeout(
        () => controller.abort(new StatesError('States.HeartbeatTimeout', `No heartbeat (SendTaskHeartbeat) and no result for this task within ${seconds} seconds (HeartbeatSeconds).`)),
        scaledMs(seconds, services.timeScale),
      );
    };
    arm();
    pending.onHeartbeat(arm);
  }
  const aborted = whenAborted(signal);
  try {
    // Resumed after a crash once the call had been made: the task only waits again (same token), as in AWS.
    const submitted = recordedNext(thread)?.type === 'TaskSubmitted';
    const response = submitted ? undefined : await Promise.race([call(), aborted.promise]);
    record(thread, 'TaskSubmitted', { ...wait.label, output: toJson(response), outputDetails: { truncated: false } });
    const outcome: CallbackOutcome = await Promise.race([pending.outcome, aborted.promise]);
    if (outcome.kind === 'success') return outcome.output;
    if (outcome.kind === 'failure') throw new StatesError(outcome.error, outcome.cause);
    throw abortError(signal);
  } finally {
    aborted.dispose();
    cancelHeartbeat();
    pending.close(timedOut(signal) ? 'timedOut' : 'closed');
  }
}
