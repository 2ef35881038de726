// The glue every task handler shares, written once: validate the event, a logger that carries the job
// and request ids, the job's step in the progress table, run-once with a marker that records which job
// it belongs to, and the task's attempts/duration/units. A handler declares what differs and stays thin:
//
//   export const handler = defineTask({
//     name: 'video-split', event: jobRefSchema, load: ({ jobId }) => readManifest(jobId),
//     step: { name: 'split' },
//     once: { marker: ({ jobId }) => videoKeys.splitMarker(jobId), fingerprint: (run) => run.loaded.job, outputs: (r) => r.keys },
//     work: (run) => splitSource(run.loaded, run.log),
//     respond: (r, run) => ({ jobId: run.jobId, chunkCount: r.keys.length }),
//   });
import type { z } from 'zod';
import { deadlineOf, type Deadline } from './deadline';
import { describeError } from './errors';
import { runOnce } from './idempotency';
import type { JobFingerprint } from './job-fingerprint';
import type { LambdaContext } from './lambda-context';
import { createLogger, withInvocation, type Logger } from './logger';
import { withInvocationMetrics, type InvocationEnd, type WorkRecorder } from './metrics';
import { recordTaskDone, recordTaskError, recordTaskStart, setJobStep, startJob } from './progress';
import { parseEvent } from './validation';

/** Everything one invocation of a task knows. */
export interface TaskRun<E, L> {
  event: E;
  jobId: string;
  /** What `load` returned (undefined without one). */
  loaded: L;
  log: Logger;
  /** Lambda's remaining time less a safety margin: pass it to anything that might run long. */
  deadline: Deadline;
  context: LambdaContext;
  /** Work done (frames, rows, samples trained) for this invocation's metrics record; report only work this invocation did. */
  metrics: WorkRecorder;
}

export type FinishedRun<E, L> = TaskRun<E, L> & { reused: boolean };

export interface TaskDefinition<E extends { jobId: string }, L, R, O> {
  /** The logger's service name, e.g. `video-split` (also the `service` property of its metrics record). */
  name: string;
  /** The event's schema: parsed first, an InvalidInput naming every bad field otherwise. */
  event: z.ZodType<E>;
  /** What the work needs besides the event (the job's manifest, its input's HEAD), read once the event is valid. */
  load?: (event: E) => Promise<L>;
  /** The response when there is nothing to do (a video without audio), before any record is written. */
  skip?: (run: TaskRun<E, L>) => O | undefined;
  /** The job's step in the progress table while this task runs; `startsJob` creates (or restarts) the job's record. */
  step?: { name: string; startsJob?: boolean };
  /** Records the task (attempts, duration, failures) and adds `units` to the job's done count, once. */
  progress?: { taskId: (event: E) => string; units: number };
  /**
   * For a task that counts its own units (a time-boxed loop is invoked many times per unit): the task id
   * its failed attempts are recorded under, so RecordFailure can name the task behind a Map's failure.
   */
  failuresAs?: (event: E) => string;
  /** Runs the work once per job: the marker key, the job it belongs to, and the outputs a marker needs to be trusted. */
  once?: {
    marker: (event: E) => string;
    fingerprint: (run: TaskRun<E, L>) => JobFingerprint;
    outputs: (result: R) => string[];
  };
  work: (run: TaskRun<E, L>) => Promise<R>;
  /** Progress updates after the result is recorded or reused (both: a first attempt may have died in between). */
  after?: (result: R, run: FinishedRun<E, L>) => Promise<void>;
  /** The small result the state machine receives. */
  respond: (result: R, run: FinishedRun<E, L>) => O;
}

export type TaskHandler<O> = (event: unknown, context: LambdaContext) => Promise<O>;

export function defineTask<E extends { jobId: string }, L = undefined, R = unknown, O = unknown>(def: TaskDefinition<E, L, R, O>): TaskHandler<O> {
  const logger = createLogger(def.name);
  return async (rawEvent, context) => {
    // One metrics record per invocation, failed ones included: its duration, work done and S3/DynamoDB usage.
    return withInvocationMetrics({ service: def.name, context }, (metrics, end) => runTask(def, logger, rawEvent, context, metrics, end));
  };
}

async function runTask<E extends { jobId: string }, L, R, O>(
  def: TaskDefinition<E, L, R, O>,
  logger: Logger,
  rawEvent: unknown,
  context: LambdaContext,
  metrics: WorkRecorder,
  /** Filled in as the invocation goes: its job once parsed, its outcome once known. */
  end: InvocationEnd,
): Promise<O> {
  const event = parseEvent(def.event, rawEvent);
  const jobId = event.jobId;
  end.jobId = jobId;
  const log = withInvocation(logger, { jobId, context });
  const loaded = (def.load ? await def.load(event) : undefined) as L;
  const run: TaskRun<E, L> = { event, jobId, loaded, log, deadline: deadlineOf(context), context, metrics };
  const skipped = def.skip?.(run);
  if (skipped !== undefined) {
    log.info('nothing to do: skipped');
    end.outcome = 'skipped';
    return skipped;
  }
  if (def.step?.startsJob) await startJob(jobId, { step: def.step.name, totalUnits: 0 });
  else if (def.step) await setJobStep(jobId, def.step.name);

  const started = Date.now();
  const taskId = def.progress?.taskId(event);
  if (taskId !== undefined) await recordTaskStart(jobId, taskId);
  const { result, reused } = await attempt(def, run, taskId ?? def.failuresAs?.(event));
  const durationMs = Date.now() - started;
  if (taskId !== undefined && def.progress) {
    // Counted once however often it runs: the progress table ignores a second "done".
    await recordTaskDone(jobId, taskId, { durationMs, units: def.progress.units });
  }
  const finished: FinishedRun<E, L> = { ...run, reused };
  await def.after?.(result, finished);
  log.info(reused ? 'reused the recorded result' : 'done', { durationMs });
  const response = def.respond(result, finished);
  end.outcome = reused ? 'reused' : 'done';
  return response;
}

async function attempt<E extends { jobId: string }, L, R, O>(
  def: TaskDefinition<E, L, R, O>,
  run: TaskRun<E, L>,
  taskId: string | undefined,
): Promise<{ result: R; reused: boolean }> {
  try {
    if (!def.once) return { result: await def.work(run), reused: false };
    return await runOnce({
      markerKey: def.once.marker(run.event),
      work: () => def.work(run),
      outputKeys: def.once.outputs,
      job: { jobId: run.jobId, fingerprint: def.once.fingerprint(run) },
    });
  } catch (err) {
    if (taskId !== undefined) await recordAttemptFailure(run, taskId, err);
    throw err;
  }
}

// Best effort: the task's own error is what the state machine must see, not a failure to record it.
async function recordAttemptFailure(run: TaskRun<unknown, unknown>, taskId: string, err: unknown): Promise<void> {
  try {
    await recordTaskError(run.jobId, taskId, describeError(err));
  } catch (recordError) {
    run.log.warn('could not record the failed attempt', { taskId, error: describeError(recordError) });
  }
}
