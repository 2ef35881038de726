// `longhaul watch`'s state: one look at an execution (its trace through the Step Functions API, its job's
// progress-table record, its functions' timeouts) made into a WatchSnapshot, and the loop that looks again
// until the execution ends, drawing each look on a terminal or appending its changes to a log.
import { GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { getJob, type JobRecord } from '../../handlers/lib/progress';
import { jobIdOf } from './job-usage';
import { isTransient } from '../../handlers/lib/transient';
import { readExecutionTrace, type ClosedHistories, type ExecutionTrace, type MapRunTrace, type StateVisit, type TaskAttempt, type TraceClients } from './execution-trace';
import { newPlainLines, plainLines, redraw, renderFrame, type ItemCounts, type RunningTask, type StepView, type TaskWhere, type WatchSnapshot } from './watch-render';

export interface WatchClients extends TraceClients {
  lambda: LambdaClient;
  dynamodb: DynamoDBClient;
}

/** Where the view goes: a terminal (redrawn in place, `columns` wide) or anything else (appended lines). */
export interface WatchOutput {
  write(text: string): void;
  isTTY: boolean;
  /** The terminal's width now (it may be resized while watching). */
  columns(): number;
}

/** Statuses after which an execution may still move: watching goes on. */
const OPEN_STATUSES = new Set(['RUNNING', 'PENDING_REDRIVE']);

/** Functions' timeouts in seconds by name, read once each; undefined for one GetFunction could not read. */
export type TimeoutCache = Map<string, number | undefined>;

/** The snapshot a trace, the job's record and the functions' timeouts make. Pure. */
export function snapshotOf(trace: ExecutionTrace, job: JobRecord | undefined, timeouts: ReadonlyMap<string, number | undefined>): WatchSnapshot {
  const e = trace.execution;
  const at = trace.readAt.getTime();
  const top = e.executionArn;
  const topMapRuns = trace.mapRuns.filter((run) => run.executionArn === top);
  const steps = trace.states
    .filter((visit) => visit.executionArn === top && visit.iteration.length === 0)
    .map((visit): StepView => stepOf(visit, topMapRuns));
  const running = trace.tasks
    .filter((a) => a.outcome === 'running')
    .map((a): RunningTask => {
      const timeoutSeconds = a.functionName === undefined ? undefined : timeouts.get(a.functionName);
      return { ...whereOf(a, trace.mapRuns), startedAt: (a.startedAt ?? a.scheduledAt).getTime(), ...(timeoutSeconds ? { timeoutSeconds } : {}) };
    });
  const errors = trace.tasks
    .filter((a) => a.outcome === 'failed' || a.outcome === 'timed-out')
    .sort((a, b) => (a.endedAt ?? a.scheduledAt).getTime() - (b.endedAt ?? b.scheduledAt).getTime())
    .map((a) => ({ ...whereOf(a, trace.mapRuns), error: a.error ?? a.outcome, ...(a.cause ? { cause: a.cause } : {}) }));
  return {
    at,
    execution: {
      arn: top,
      name: e.name,
      stateMachine: trace.stateMachineName || e.stateMachineArn.split(':').pop()!,
      status: e.status,
      startedAt: e.startDate.getTime(),
      ...(e.stopDate ? { stoppedAt: e.stopDate.getTime() } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(e.cause ? { cause: e.cause } : {}),
    },
    ...(job ? { job: { jobId: job.jobId, status: job.status, step: job.step, doneUnits: job.doneUnits, totalUnits: job.totalUnits, figures: job.figures } } : {}),
    steps,
    running,
    retries: trace.tasks.filter((a) => a.retry > 0).length,
    errors,
  };
}

function stepOf(visit: StateVisit, mapRuns: readonly MapRunTrace[]): StepView {
  const startedAt = visit.enteredAt.getTime();
  const endedAt = visit.exitedAt?.getTime();
  // The visit's Map Run: the last one of this state started while the visit was open (a loop enters it again).
  const run = mapRuns
    .filter((r) => r.stateName === visit.stateName && r.startDate.getTime() >= startedAt && (endedAt === undefined || r.startDate.getTime() <= endedAt))
    .at(-1);
  return {
    name: visit.stateName,
    status: visit.status === 'running' ? 'RUNNING' : visit.status === 'failed' ? 'FAILED' : 'SUCCEEDED',
    startedAt,
    ...(endedAt !== undefined ? { endedAt } : {}),
    ...(run ? { items: itemsOf(run) } : {}),
  };
}

function itemsOf(run: MapRunTrace): ItemCounts {
  const c = run.itemCounts;
  return { total: c.total, succeeded: c.succeeded, failed: c.failed + c.timedOut + c.aborted, running: c.running };
}

/**
 * A task attempt's place. Distributed Map items are child executions with opaque names, and the API
 * does not say which item each ran: they are numbered in the order they started, which is the items'
 * order as the Map starts them.
 */
function whereOf(a: TaskAttempt, mapRuns: readonly MapRunTrace[]): TaskWhere {
  const run = a.mapRunArn === undefined ? undefined : mapRuns.find((r) => r.mapRunArn === a.mapRunArn);
  const position = run?.items.findIndex((item) => item.executionArn === a.executionArn) ?? -1;
  const item = position >= 0 ? position : a.iteration[0];
  return {
    state: a.stateName,
    ...(a.functionName ? { functionName: a.functionName } : {}),
    ...(item !== undefined ? { item } : {}),
    attempt: a.retry + 1,
  };
}


/** The job's record, or undefined when the table or the record is not there (a user's own state machine). */
async function readJob(clients: WatchClients, table: string, jobId: string | undefined): Promise<JobRecord | undefined> {
  if (jobId === undefined) return undefined;
  try {
    return await getJob(jobId, { table, client: clients.dynamodb });
  } catch (err) {
    if ((err as { name?: unknown }).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** Reads the timeouts of the functions not read yet (GetFunction's `Timeout`); a refused read leaves it unknown. */
async function readTimeouts(lambda: LambdaClient, names: Iterable<string>, cache: TimeoutCache): Promise<void> {
  const missing = [...new Set(names)].filter((name) => !cache.has(name));
  await Promise.all(
    missing.map(async (name) => {
      try {
        const out = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
        cache.set(name, out.Configuration?.Timeout);
      } catch (err) {
        if (isTransient(err)) return; // asked again next look
        cache.set(name, undefined);
      }
    }),
  );
}

/** One look at the execution. */
export async function lookAt(
  clients: WatchClients,
  executionArn: string,
  opts: { table: string; timeouts: TimeoutCache; closedHistories?: ClosedHistories },
): Promise<WatchSnapshot> {
  const trace = await readExecutionTrace(clients, executionArn, { closedHistories: opts.closedHistories });
  const [job] = await Promise.all([
    readJob(clients, opts.table, jobIdOf(trace.execution.input)),
    readTimeouts(clients.lambda, trace.tasks.filter((a) => a.outcome === 'running' && a.functionName).map((a) => a.functionName!), opts.timeouts),
  ]);
  return snapshotOf(trace, job, opts.timeouts);
}

/** Shows each look: a terminal gets the frame redrawn in place, a log the lines it has not had yet. */
export function viewer(output: WatchOutput): (s: WatchSnapshot) => void {
  if (output.isTTY) {
    let height = 0;
    return (s) => {
      const lines = renderFrame(s, Math.max(20, output.columns()));
      output.write(redraw(height, lines));
      height = lines.length;
    };
  }
  const printed = new Set<string>();
  return (s) => {
    const fresh = newPlainLines(printed, plainLines(s));
    if (fresh.length > 0) output.write(fresh.map((line) => `${line}\n`).join(''));
  };
}

export interface WatchOptions {
  clients: WatchClients;
  executionArn: string;
  table: string;
  output: WatchOutput;
  /** Between the end of one look and the start of the next, at least; a slow look (a big Map) spaces them more. */
  intervalMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Watches until the execution ends; returns its status. */
export async function watchExecution(opts: WatchOptions): Promise<string> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const show = viewer(opts.output);
  const timeouts: TimeoutCache = new Map();
  // Finished Map items and started executions are read once, not every look.
  const closedHistories: ClosedHistories = new Map();
  for (;;) {
    const began = Date.now();
    let snapshot: WatchSnapshot | undefined;
    try {
      snapshot = await lookAt(opts.clients, opts.executionArn, { table: opts.table, timeouts, closedHistories });
    } catch (err) {
      // Throttled or briefly unreachable after the SDK's own retries: the next look may do better.
      if (!isTransient(err)) throw err;
    }
    if (snapshot) {
      show(snapshot);
      if (!OPEN_STATUSES.has(snapshot.execution.status)) return snapshot.execution.status;
    }
    // A look still reads every running item's history: never start the next before as long again.
    await sleep(Math.max(opts.intervalMs, Date.now() - began));
  }
}
