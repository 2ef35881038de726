// Task tokens of callback tasks (`.waitForTaskToken`): the token a task hands out in `$$.Task.Token`, and the
// registry SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat reach the waiting task through.
//
// A token is derived from the execution ARN and the id of the task's TaskScheduled event, nothing random:
// an execution resumed from its history reuses its event ids, so a task still waiting after a restart
// hands out (and accepts) the same token as before.
import { StatesError } from './errors';

/** What SendTaskSuccess or SendTaskFailure said about a waiting task. */
export type CallbackOutcome =
  | { kind: 'success'; output: unknown }
  | { kind: 'failure'; error: string; cause: string }
  /** The task stopped waiting before anyone answered (timeout, stop, resource failure). */
  | { kind: 'closed' };

/** One task waiting for its token to come back. */
export interface PendingCallback {
  readonly token: string;
  /** Settles once: with the first answer, or `closed` when the task stops waiting. Never rejects. */
  readonly outcome: Promise<CallbackOutcome>;
  /** Called on every SendTaskHeartbeat for this token while it is open. */
  onHeartbeat(listener: () => void): void;
  /** The task no longer waits: later calls get TaskTimedOut (`timedOut`) or TaskDoesNotExist (`closed`). */
  close(how: 'timedOut' | 'closed'): void;
}

export interface TaskTokens {
  /** Opens `token` for answers; the task calls it before calling its resource, which may answer at once. */
  open(token: string): PendingCallback;
  /** SendTaskSuccess: `output` is the JSON text the task succeeds with. */
  sendTaskSuccess(token: string, output: string): void;
  sendTaskFailure(token: string, error?: string, cause?: string): void;
  sendTaskHeartbeat(token: string): void;
}

/** How many closed tokens are remembered, to answer TaskTimedOut rather than TaskDoesNotExist. */
const REMEMBERED_CLOSED = 10_000;

export function taskToken(executionArn: string, scheduledEventId: number): string {
  return Buffer.from(`${executionArn}#${scheduledEventId}`, 'utf8').toString('base64url');
}

const DECODED = /^arn:[a-z-]+:states:[^#]*:execution:[^#]+#[1-9]\d*$/;

/** The execution ARN and TaskScheduled event id a token stands for; undefined when it is not one of ours. */
export function parseTaskToken(token: string): { executionArn: string; scheduledEventId: number } | undefined {
  if (typeof token !== 'string' || token.length === 0 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  // Base64 decoding is lenient: re-encoding must give the token back, or it was not one we made.
  if (!DECODED.test(decoded) || Buffer.from(decoded, 'utf8').toString('base64url') !== token) return undefined;
  const at = decoded.lastIndexOf('#');
  return { executionArn: decoded.slice(0, at), scheduledEventId: Number(decoded.slice(at + 1)) };
}

interface OpenTask {
  settle(outcome: CallbackOutcome): void;
  heartbeatListeners: Set<() => void>;
}

export function createTaskTokens(): TaskTokens {
  const open = new Map<string, OpenTask>();
  const closed = new Map<string, 'timedOut' | 'closed'>();

  const remember = (token: string, how: 'timedOut' | 'closed') => {
    closed.delete(token);
    closed.set(token, how);
    if (closed.size > REMEMBERED_CLOSED) closed.delete(closed.keys().next().value!);
  };

  /** The open task behind `token`, or the API's error for a token that is malformed, unknown or closed. */
  const openTask = (token: string): OpenTask => {
    if (!parseTaskToken(token)) throw new StatesError('InvalidToken', `Invalid Token: '${String(token)}' is not a task token issued by this engine.`);
    const task = open.get(token);
    if (task) return task;
    if (closed.get(token) === 'timedOut') throw new StatesError('TaskTimedOut', 'Task Timed Out: the task this token belongs to has timed out.');
    throw new StatesError('TaskDoesNotExist', 'Task Does Not Exist: no task is waiting for this token (unknown, or already closed).');
  };

  /** Answers the task: from now on the token is closed, whatever the task does with the answer. */
  const answer = (token: string, task: OpenTask, outcome: CallbackOutcome) => {
    open.delete(token);
    remember(token, 'closed');
    task.settle(outcome);
  };

  return {
    open(token) {
      let settle!: (outcome: CallbackOutcome) => void;
      const outcome = new Promise<CallbackOutcome>((resolve) => (settle = resolve));
      const task: OpenTask = { settle, heartbeatListeners: new Set() };
      closed.delete(token);
      open.set(token, task);
      return {
        token,
        outcome,
        onHeartbeat: (listener) => void task.heartbeatListeners.add(listener),
        close(how) {
          task.heartbeatListeners.clear();
          task.settle({ kind: 'closed' });
          if (open.get(token) !== task) return; // already answered: the answer stands
          open.delete(token);
          remember(token, how);
        },
      };
    },
    sendTaskSuccess(token, output) {
      const task = openTask(token);
      let parsed: unknown;
      try {
        parsed = JSON.parse(output);
      } catch (err) {
        throw new StatesError('InvalidOutput', `Invalid Output: the output is not valid JSON (${(err as Error).message}).`);
      }
      answer(token, task, { kind: 'success', output: parsed });
    },
    sendTaskFailure(token, error, cause) {
      answer(token, openTask(token), { kind: 'failure', error: error ?? '', cause: cause ?? '' });
    },
    sendTaskHeartbeat(token) {
      for (const listener of openTask(token).heartbeatListeners) listener();
    },
  };
}
