// What one execution did, read only through the Step Functions API (so the same code reads `longhaul serve`
// and AWS): every task attempt with its function, timing, outcome and retry number, the Distributed Map runs
// with their items (child executions, each read in turn), the states entered, and the transitions AWS bills.
import type { MapRunCounts } from '../engine/control-types';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { runPool } from '../engine/map-items';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
export type AttemptOutcome = 'running' | 'succeeded' | 'failed' | 'timed-out' | 'aborted';

export interface ExecutionSummary {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
  redriveCount: number;
  input?: string;
  output?: string;
}

/** One try of one Task state: a Lambda invocation for the pipelines' tasks. */
export interface TaskAttempt {
  /** The execution whose history holds it: the job's own, or a Distributed Map item's child execution. */
  executionArn: string;
  /** Set when the attempt ran inside a Distributed Map item. */
  mapRunArn?: string;
  /** Inline Map iteration indexes, outermost first; empty outside inline Maps. */
  iteration: number[];
  stateName: string;
  /** As the history names them: `lambda` and `invoke` for the `lambda:invoke` integration. */
  resourceType: string;
  resource: string;
  /** The Lambda function's name (from the scheduled `FunctionName`, an ARN reduced to its name). */
  functionName?: string;
  /** 0 for the first attempt, n for the n-th retry within the same visit of the state. */
  retry: number;
  scheduledAt: Date;
  startedAt?: Date;
  endedAt?: Date;
  outcome: AttemptOutcome;
  error?: string;
  cause?: string;
}

/** One item (or batch) of a Distributed Map: a child execution. */
export interface MapItemTrace {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
}

/** DescribeMapRun's item counts, as far as the tools show them. */
export type ItemCounts = Pick<MapRunCounts, 'pending' | 'running' | 'succeeded' | 'failed' | 'timedOut' | 'aborted' | 'total'>;

export interface MapRunTrace {
  mapRunArn: string;
  /** The execution that ran the Map state (the job's, or a child's for nested Distributed Maps). */
  executionArn: string;
  stateName: string;
  status: string;
  startDate: Date;
  stopDate?: Date;
  maxConcurrency: number;
  itemCounts: ItemCounts;
  items: MapItemTrace[];
}

/** A state entered, in any of the job's executions. */
export interface StateVisit {
  executionArn: string;
  stateName: string;
  /** `Task`, `Map`, `Choice`… (from the event type). */
  stateType: string;
  iteration: number[];
  enteredAt: Date;
  exitedAt?: Date;
  status: 'running' | 'succeeded' | 'failed';
}

/**
 * State transitions as Step Functions bills them (Standard workflows): one per state entered, in every
 * execution including Distributed Map children; each retry one more; one per child execution a Distributed
 * Map starts; one per redrive. Inline Map iterations cost nothing themselves (their states do).
 */
export interface TransitionCount {
  stateEntries: number;
  retries: number;
  mapChildExecutions: number;
  redrives: number;
  total: number;
}

export interface ExecutionTrace {
  execution: ExecutionSummary;
  stateMachineName: string;
  /** The definition this execution ran (ASL JSON text). */
  definition: string;
  tasks: TaskAttempt[];
  mapRuns: MapRunTrace[];
  /**
   * Executions the job started with a `states:startExecution` task (the ML pipeline goes on in a fresh
   * execution when its history grows long), read like the job's own: their tasks, Map runs and transitions
   * are in this trace.
   */
  startedExecutions: ExecutionSummary[];
  states: StateVisit[];
  transitions: TransitionCount;
  /** When the trace was read: the end of anything still running. */
  readAt: Date;
}

export interface TraceClients {
  sfn: SFNClient;
}

/**
 * Histories of closed executions, kept across reads of one trace (`watch` reads it every few seconds): a
 * closed history does not change, so a Map of hundreds of finished items is read once, not every look.
 * Keyed by ARN and close time, since a redriven execution closes again with more events.
 */
export type ClosedHistories = Pick<Map<string, HistoryEvent[]>, 'get' | 'set'>;

/** Closed histories for a long-lived reader (the console): the `max` most recently stored are kept. */
export function recentClosedHistories(max: number): ClosedHistories {
  const kept = new Map<string, HistoryEvent[]>();
  const store: ClosedHistories = {
    get: (key) => kept.get(key),
    set(key, history) {
      kept.delete(key);
      kept.set(key, history);
      if (kept.size > max) kept.delete(kept.keys().next().value!);
      return kept;
    },
  };
  return store;
}

export interface TraceOptions {
  /** Parallel child-history reads. Default 8: Step Functions throttles GetExecutionHistory per account. */
  concurrency?: number;
  closedHistories?: ClosedHistories;
}

/** How the trace reads histories: how many at once, and the closed ones kept from earlier reads. */
interface HistoryReads {
  concurrency: number;
  closed?: ClosedHistories;
}

/** An execution's history, from `reads.closed` when it is closed and was read closed before. */
async function historyOf(sfn: SFNClient, executionArn: string, stopDate: Date | undefined, reads: HistoryReads): Promise<HistoryEvent[]> {
  const key = stopDate && reads.closed ? `${executionArn}@${stopDate.toISOString()}` : undefined;
  const kept = key ? reads.closed!.get(key) : undefined;
  if (kept) return kept;
  const history = await readHistory(sfn, executionArn);
  if (key) reads.closed!.set(key, history);
  return history;
}

export async function readExecutionTrace(clients: TraceClients, executionArn: string, opts: TraceOptions = {}): Promise<ExecutionTrace> {
  const { sfn } = clients;
  const reads: HistoryReads = { concurrency: opts.concurrency ?? 8, closed: opts.closedHistories };
  const [described, machine] = await Promise.all([
    sfn.send(new DescribeExecutionCommand({ executionArn })),
    sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn })),
  ]);
  const readAt = new Date();
  const trace: ExecutionTrace = {
    execution: summaryOf(executionArn, described),
    stateMachineName: machine.name ?? '',
    definition: machine.definition ?? '{}',
    tasks: [],
    mapRuns: [],
    startedExecutions: [],
    states: [],
    transitions: { stateEntries: 0, retries: 0, mapChildExecutions: 0, redrives: described.redriveCount ?? 0, total: 0 },
    readAt,
  };

  const history = await readHistory(sfn, executionArn);
  await addExecutionTree(trace, sfn, history, { executionArn, closedAt: described.stopDate ?? readAt, open: described.status === 'RUNNING' }, reads);
  trace.transitions.total =
    trace.transitions.stateEntries + trace.transitions.retries + trace.transitions.mapChildExecutions + trace.transitions.redrives;
  return trace;
}

interface ExecutionPlace {
  executionArn: string;
  /** Set for a Distributed Map item's execution. */
  mapRunArn?: string;
  /** When it ended (or the trace was read): the end of whatever its history leaves open. */
  closedAt: Date;
  open: boolean;
}

/** One execution's history, then its Map Runs' items and the executions it started, recursively. */
async function addExecutionTree(trace: ExecutionTrace, sfn: SFNClient, history: HistoryEvent[], place: ExecutionPlace, reads: HistoryReads): Promise<void> {
  const started = addExecution(trace, history, place);
  // Map Runs are found from their MapRunStarted events (ListMapRuns would only repeat them, one call more).
  for (const mapRunArn of mapRunArnsOf(history)) await addMapRun(trace, sfn, mapRunArn, place.executionArn, history, reads);
  for (const arn of started) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    const h = await historyOf(sfn, arn, d.stopDate, reads);
    trace.startedExecutions.push(summaryOf(arn, d));
    await addExecutionTree(trace, sfn, h, { executionArn: arn, closedAt: d.stopDate ?? trace.readAt, open: d.status === 'RUNNING' }, reads);
  }
}

function summaryOf(executionArn: string, d: DescribeExecutionCommandOutput): ExecutionSummary {
  return {
    executionArn,
    name: d.name ?? executionArn.split(':').pop()!,
    stateMachineArn: d.stateMachineArn!,
    status: d.status as ExecutionStatus,
    startDate: d.startDate!,
    stopDate: d.stopDate,
    error: d.error,
    cause: d.cause,
    redriveCount: d.redriveCount ?? 0,
    input: d.input,
    output: d.output,
  };
}

async function addMapRun(
  trace: ExecutionTrace,
  sfn: SFNClient,
  mapRunArn: string,
  ownerArn: string,
  ownerHistory: HistoryEvent[],
  reads: HistoryReads,
): Promise<void> {
  const [run, children] = await Promise.all([sfn.send(new DescribeMapRunCommand({ mapRunArn })), listChildren(sfn, mapRunArn)]);
  const counts = run.itemCounts;
  const mapRun: MapRunTrace = {
    mapRunArn,
    executionArn: ownerArn,
    stateName: mapStateName(ownerHistory, mapRunArn),
    status: run.status ?? 'RUNNING',
    startDate: run.startDate!,
    stopDate: run.stopDate,
    maxConcurrency: run.maxConcurrency ?? 0,
    itemCounts: {
      pending: counts?.pending ?? 0,
      running: counts?.running ?? 0,
      succeeded: counts?.succeeded ?? 0,
      failed: counts?.failed ?? 0,
      timedOut: counts?.timedOut ?? 0,
      aborted: counts?.aborted ?? 0,
      total: counts?.total ?? 0,
    },
    items: [],
  };
  trace.mapRuns.push(mapRun);
  trace.transitions.mapChildExecutions += children.length;
  const histories = await mapBounded(children, reads.concurrency, (child) => historyOf(sfn, child.executionArn!, child.stopDate, reads));
  for (const [i, child] of children.entries()) {
    const history = histories[i]!;
    mapRun.items.push({
      executionArn: child.executionArn!,
      name: child.name ?? '',
      status: child.status as ExecutionStatus,
      startDate: child.startDate!,
      stopDate: child.stopDate,
      ...closingDetails(history),
    });
    const place = { executionArn: child.executionArn!, mapRunArn, closedAt: child.stopDate ?? trace.readAt, open: child.status === 'RUNNING' };
    await addExecutionTree(trace, sfn, history, place, reads);
  }
  mapRun.items.sort((a, b) => a.startDate.getTime() - b.startDate.getTime());
}

/** Every event of an execution, oldest first. */
export async function readHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: true }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

async function listChildren(sfn: SFNClient, mapRunArn: string): Promise<ExecutionListItem[]> {
  const children: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ mapRunArn, maxResults: 1000, nextToken }));
    children.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return children;
}

/** `work` over `items`, at most `concurrency` at a time, results in order. */
async function mapBounded<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await runPool(items.length, concurrency, async (i) => {
    results[i] = await work(items[i]!);
  }, () => false);
  return results;
}

function mapRunArnsOf(history: HistoryEvent[]): string[] {
  const arns = new Set<string>();
  for (const e of history) {
    const arn = e.mapRunStartedEventDetails?.mapRunArn;
    if (e.type === 'MapRunStarted' && arn) arns.add(arn);
  }
  return [...arns];
}

/** The Map state whose MapRunStarted names this run: the last state entered before it in its thread. */
function mapStateName(history: HistoryEvent[], mapRunArn: string): string {
  const byId = new Map(history.map((e) => [e.id!, e]));
  let e = history.find((h) => h.type === 'MapRunStarted' && h.mapRunStartedEventDetails?.mapRunArn === mapRunArn);
  while (e && !e.type?.endsWith('StateEntered')) e = byId.get(e.previousEventId ?? 0);
  return e?.stateEnteredEventDetails?.name ?? '';
}

function closingDetails(history: HistoryEvent[]): { error?: string; cause?: string } {
  for (let i = history.length - 1; i >= 0; i--) {
    const e = history[i]!;
    const d = e.executionFailedEventDetails ?? e.executionTimedOutEventDetails ?? e.executionAbortedEventDetails;
    if (d) return { error: d.error, cause: d.cause };
    if (e.type?.startsWith('Execution') && e.type !== 'ExecutionStarted' && e.type !== 'ExecutionRedriven') return {};
  }
  return {};
}

const TASK_END = new Set([
  'TaskSucceeded',
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionSucceeded',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
]);

/**
 * Walks one execution's events once, in id order. Each event inherits from its `previousEventId` the
 * state visit it belongs to, the task attempt it continues and the inline Map iteration it runs in, which
 * is how Step Functions threads parallel branches and iterations through one history.
 */
function addExecution(trace: ExecutionTrace, history: HistoryEvent[], where: ExecutionPlace): string[] {
  const visitOf = new Map<number, StateVisit | undefined>();
  const attemptOf = new Map<number, TaskAttempt | undefined>();
  const iterationOf = new Map<number, number[]>();
  const retriesOf = new Map<StateVisit, number>();
  const attempts: TaskAttempt[] = [];
  const visits: StateVisit[] = [];
  const started = new Set<string>();
  const { executionArn, mapRunArn } = where;

  for (const e of history) {
    const id = e.id!;
    const prev = e.previousEventId ?? 0;
    const type = e.type ?? '';
    let visit = visitOf.get(prev);
    let attempt = attemptOf.get(prev);
    let iteration = iterationOf.get(prev) ?? [];

    if (type === 'MapIterationStarted') {
      iteration = [...iteration, e.mapIterationStartedEventDetails?.index ?? 0];
    } else if (/^MapIteration(Succeeded|Failed|Aborted)$/.test(type)) {
      iteration = iteration.slice(0, -1);
    }

    if (type.endsWith('StateEntered')) {
      visit = {
        executionArn,
        stateName: e.stateEnteredEventDetails?.name ?? '',
        stateType: type.slice(0, -'StateEntered'.length),
        iteration,
        enteredAt: e.timestamp!,
        status: 'running',
      };
      attempt = undefined;
      visits.push(visit);
      trace.transitions.stateEntries += 1;
    } else if (type.endsWith('StateExited') && visit) {
      visit.exitedAt = e.timestamp;
      visit.status = 'succeeded';
    } else if (type === 'TaskScheduled' || type === 'LambdaFunctionScheduled') {
      const retry = visit ? (retriesOf.get(visit) ?? -1) + 1 : 0;
      if (visit) retriesOf.set(visit, retry);
      if (retry > 0) trace.transitions.retries += 1;
      attempt = newAttempt(e, { executionArn, mapRunArn, iteration, stateName: visit?.stateName ?? '', retry });
      attempts.push(attempt);
    } else if ((type === 'TaskStarted' || type === 'LambdaFunctionStarted') && attempt) {
      attempt.startedAt = e.timestamp;
    } else if (TASK_END.has(type) && attempt) {
      endAttempt(attempt, e, type);
      const arn = startedExecutionArn(attempt, e.taskSucceededEventDetails?.output);
      if (arn) started.add(arn);
    } else if (type === 'TaskSubmitted' && attempt) {
      const arn = startedExecutionArn(attempt, e.taskSubmittedEventDetails?.output);
      if (arn) started.add(arn);
    } else if ((type.endsWith('StateFailed') || type === 'ExecutionFailed' || type === 'ExecutionTimedOut') && visit?.status === 'running') {
      visit.status = 'failed';
      visit.exitedAt = e.timestamp;
    }

    visitOf.set(id, visit);
    attemptOf.set(id, attempt);
    iterationOf.set(id, iteration);
  }

  // What the history leaves open was cut short when the execution ended (stopped, failed elsewhere, timed
  // out), or is still running.
  if (!where.open) {
    for (const a of attempts) {
      if (a.outcome !== 'running') continue;
      a.outcome = 'aborted';
      a.endedAt = where.closedAt;
    }
    for (const v of visits) {
      if (v.status !== 'running') continue;
      v.status = 'failed';
      v.exitedAt = where.closedAt;
    }
  }
  for (const a of attempts) trace.tasks.push(a);
  for (const v of visits) trace.states.push(v);
  return [...started];
}

/** The execution a `states:startExecution` task started, from its TaskSubmitted or TaskSucceeded output. */
function startedExecutionArn(attempt: TaskAttempt, output: string | undefined): string | undefined {
  if (attempt.resourceType !== 'states' || !attempt.resource.startsWith('startExecution') || !output) return undefined;
  try {
    const arn = (JSON.parse(output) as { ExecutionArn?: unknown }).ExecutionArn;
    return typeof arn === 'string' ? arn : undefined;
  } catch {
    return undefined;
  }
}

function newAttempt(
  e: HistoryEvent,
  at: { executionArn: string; mapRunArn?: string; iteration: number[]; stateName: string; retry: number },
): TaskAttempt {
  const task = e.taskScheduledEventDetails;
  const lambda = e.lambdaFunctionScheduledEventDetails;
  const attempt: TaskAttempt = {
    executionArn: at.executionArn,
    ...(at.mapRunArn ? { mapRunArn: at.mapRunArn } : {}),
    iteration: at.iteration,
    stateName: at.stateName,
    resourceType: task?.resourceType ?? 'lambda',
    resource: task?.resource ?? lambda?.resource ?? '',
    retry: at.retry,
    scheduledAt: e.timestamp!,
    outcome: 'running',
  };
  const functionName = task ? scheduledFunctionName(task.resourceType, task.parameters) : lambdaName(lambda?.resource);
  if (functionName) attempt.functionName = functionName;
  return attempt;
}

function endAttempt(attempt: TaskAttempt, e: HistoryEvent, type: string): void {
  attempt.endedAt = e.timestamp;
  if (type.endsWith('Succeeded')) {
    attempt.outcome = 'succeeded';
    return;
  }
  const d =
    e.taskFailedEventDetails ??
    e.taskTimedOutEventDetails ??
    e.taskStartFailedEventDetails ??
    e.taskSubmitFailedEventDetails ??
    e.lambdaFunctionFailedEventDetails ??
    e.lambdaFunctionTimedOutEventDetails ??
    e.lambdaFunctionStartFailedEventDetails ??
    e.lambdaFunctionScheduleFailedEventDetails;
  if (d?.error !== undefined) attempt.error = d.error;
  if (d?.cause !== undefined) attempt.cause = d.cause;
  // A task's own TimeoutSeconds is TaskTimedOut; Lambda's wall arrives as a failure named Sandbox.Timedout.
  const timedOut = type.endsWith('TimedOut') || d?.error === 'Sandbox.Timedout' || d?.error === 'States.Timeout';
  attempt.outcome = timedOut ? 'timed-out' : 'failed';
}

/** `FunctionName` of a `lambda:invoke` task: a name, a partial or a full ARN, maybe with a qualifier. */
function scheduledFunctionName(resourceType: string | undefined, parameters: string | undefined): string | undefined {
  if (resourceType !== 'lambda' || !parameters) return undefined;
  try {
    const name = (JSON.parse(parameters) as { FunctionName?: unknown }).FunctionName;
    return typeof name === 'string' ? lambdaName(name) : undefined;
  } catch {
    return undefined;
  }
}

/** `arn:aws:lambda:r:acct:function:name[:qualifier]`, `acct:function:name`, `name[:qualifier]` → `name`. */
export function lambdaName(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  const parts = ref.split(':');
  const at = parts.indexOf('function');
  return at >= 0 ? parts[at + 1] : parts[0];
}

/**
 * The execution an operator means: an execution ARN as given (checked), or a job id, which resolves to
 * the newest execution, over the account's state machines, named `jobId` or `jobId-<digits>` (the README
 * names executions after the job; `longhaul run` uses `<jobId>-<ms>`).
 */
export async function findExecution(clients: TraceClients, executionArnOrJobId: string, opts: { maxPagesPerMachine?: number } = {}): Promise<string> {
  const { sfn } = clients;
  const ref = executionArnOrJobId.trim();
  if (ref === '') throw new Error('an execution ARN or a job id is required');
  if (ref.startsWith('arn:')) {
    if (!/^arn:[^:]+:states:[^:]*:[^:]*:execution:/.test(ref)) throw new Error(`"${ref}" is not an execution ARN (arn:aws:states:<region>:<account>:execution:<machine>:<name>)`);
    await sfn.send(new DescribeExecutionCommand({ executionArn: ref }));
    return ref;
  }
  const named = new RegExp(`^${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-\\d+)?$`);
  const maxPages = opts.maxPagesPerMachine ?? 10;
  const machines = await listStateMachineArns(sfn);
  // Executions come newest first: the first match of a machine is its newest.
  const found = await mapBounded(machines, 4, async (stateMachineArn) => {
    let nextToken: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const res = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
      const hit = res.executions?.find((x) => named.test(x.name ?? ''));
      if (hit) return hit;
      nextToken = res.nextToken;
      if (!nextToken) break;
    }
    return undefined;
  });
  const newest = found
    .filter((x): x is ExecutionListItem => x !== undefined)
    .sort((a, b) => b.startDate!.getTime() - a.startDate!.getTime())[0];
  if (!newest) {
    throw new Error(`no execution named "${ref}" or "${ref}-<n>" in ${machines.length} state machine(s); give the execution ARN`);
  }
  return newest.executionArn!;
}

async function listStateMachineArns(sfn: SFNClient): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ maxResults: 1000, nextToken }));
    arns.push(...(page.stateMachines ?? []).map((m) => m.stateMachineArn!));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}
