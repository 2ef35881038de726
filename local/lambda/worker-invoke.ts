// One invocation on an initialized worker: send the event, kill at the deadline, on abort or above
// the function's memory, and settle only once the reply and every output line it printed are in.
import type { FunctionSpec } from '../../handlers/catalog-types';
import { aborted, timedOut } from './lambda-errors';
import { watchGroupMemory } from './memory-watch';
import type { WorkerChannel } from './worker-channel';
import type { RunPayload, RunRequest } from './worker-process';
import type { WorkerMessage } from './worker-protocol';
import { startWatchdog } from './worker-watchdog';

/** How long to wait for the end-of-output marks after a reply before giving up on late lines. */
const MARK_GRACE_MS = 1000;

export type InvokeResult = RunPayload & { durationMs: number; timedOut: boolean; reusable: boolean };

type Reply = Extract<WorkerMessage, { type: 'result' | 'error' }>;

export function invokeOnWorker(channel: WorkerChannel, spec: FunctionSpec, request: RunRequest): Promise<InvokeResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let reply: Reply | undefined;
    let marks = 0;
    let graceTimer: NodeJS.Timeout | undefined;
    const watchdog = startWatchdog(channel.kill, request.timeoutMs, request.signal, () => reply !== undefined);
    const stopMemoryWatch = killAboveMemory(channel, spec, request.requestId, () => reply !== undefined || watchdog.timedOut || watchdog.aborted);

    const settle = (payload: RunPayload, reusable: boolean): void => {
      stopMemoryWatch();
      watchdog.stop();
      clearTimeout(graceTimer);
      channel.end();
      resolve({ ...payload, reusable, timedOut: watchdog.timedOut, durationMs: performance.now() - started });
    };
    const settleWithReply = (): void => {
      const r = reply!;
      if (r.type === 'result') settle({ ok: true, payload: r.payload }, !channel.isClosed());
      else settle({ ok: false, error: r.error }, !r.fatal && !channel.isClosed());
    };
    const onMark = (): void => {
      marks += 1;
      if (reply && marks >= reply.marks) settleWithReply();
    };
    const onMessage = (m: WorkerMessage): void => {
      if ((m.type !== 'result' && m.type !== 'error') || m.requestId !== request.requestId) return;
      if (watchdog.timedOut || watchdog.aborted || reply) return;
      reply = m;
      watchdog.clearDeadline();
      if (marks >= m.marks) settleWithReply();
      else graceTimer = setTimeout(settleWithReply, MARK_GRACE_MS);
    };
    const onClosed = (): void => {
      if (reply) return settleWithReply();
      const id = request.requestId;
      const error = watchdog.timedOut ? timedOut(id, request.timeoutSeconds) : watchdog.aborted ? aborted(id) : channel.deathError(id);
      settle({ ok: false, error }, false);
    };

    channel.begin(
      (event) => {
        if (event.kind === 'mark') onMark();
        else if (event.kind === 'message') onMessage(event.message);
        else onClosed();
      },
      { type: 'invoke', requestId: request.requestId, event: request.event, deadlineMs: Date.now() + request.timeoutMs },
    );
  });
}

/** Lambda counts every process of the sandbox against the function's memory, not just V8's heap. */
function killAboveMemory(channel: WorkerChannel, spec: FunctionSpec, requestId: string, invocationOver: () => boolean): () => void {
  return watchGroupMemory(channel.pid, spec.memoryMb, (rssMb) => {
    if (invocationOver()) return;
    channel.markOutOfMemory();
    channel.logRuntime(
      requestId,
      `Runtime.OutOfMemory: the function's processes use ${rssMb} MB, over its ${spec.memoryMb} MB: killed`,
    );
    channel.kill();
  });
}
