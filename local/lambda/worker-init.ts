// Lambda's init phase on a new worker: load the handler module within the init timeout, so a cold
// start's cost and failures are told apart from the invocation's.
import { aborted, initTimedOut } from './lambda-errors';
import type { LambdaError } from './types';
import type { WorkerChannel } from './worker-channel';
import type { RunRequest } from './worker-process';
import type { WorkerInit } from './worker-protocol';
import { startWatchdog } from './worker-watchdog';

export type InitOutcome = { ok: true; initDurationMs: number } | { ok: false; error: LambdaError };

export function initializeWorker(channel: WorkerChannel, init: WorkerInit, request: RunRequest): Promise<InitOutcome> {
  return new Promise((resolve) => {
    const watchdog = startWatchdog(channel.kill, request.initTimeoutMs, request.signal);
    const done = (outcome: InitOutcome): void => {
      watchdog.stop();
      channel.end();
      resolve(outcome);
    };
    channel.begin((event) => {
      if (event.kind === 'message' && event.message.type === 'ready') {
        done({ ok: true, initDurationMs: event.message.initDurationMs });
      } else if (event.kind === 'message' && event.message.type === 'init-error') {
        channel.kill();
        done({ ok: false, error: event.message.error });
      } else if (event.kind === 'closed') {
        const id = request.requestId;
        if (watchdog.aborted) done({ ok: false, error: aborted(id) });
        else if (watchdog.timedOut) done({ ok: false, error: initTimedOut(id, request.initTimeoutMs / 1000) });
        else done({ ok: false, error: channel.deathError(id) });
      }
    }, init);
  });
}
