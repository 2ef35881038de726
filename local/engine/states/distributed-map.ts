// Distributed Map: items from ItemReader (or the items of the Map's plan), ItemSelector, ItemBatcher, each item or
// batch run as a child execution with its own history, tolerated failures, and ResultWriter. A child is an
// execution of its own: it sees none of its parent's variables (the guide: "Distributed Map states cannot
// currently reference variables in outer scopes"), and its states default to the parent machine's QueryLanguage.
import { createHash, randomUUID } from 'node:crypto';
import { localArn } from '../../local-arn';
import { abortError, StatesError, toStatesError } from '../errors';
import { batchItems } from '../item-batcher';
import { readItems } from '../item-reader';
import { capConcurrency, runPool } from '../map-items';
import type { MapPlan, Tolerance } from '../map-plan';
import { DISTRIBUTED_MAP_MAX_CONCURRENCY, jsonByteLength, MAX_PAYLOAD_BYTES } from '../quotas';
import { executionArn, stateMachineArn } from '../execution';
import { toJson } from '../json-text';
import { childEntry, writeResults, type ChildRecord, type WrittenResults } from '../result-writer';
import { eventKey } from '../replay';
import { record, type MapRunProgress, type StateScope, type Thread } from '../run-context';
import { yieldToEventLoop } from '../timers';
import type { BranchDefinition, Execution, ExecutionResult, ItemProcessorMapState, QueryLanguage } from '../types';

const YIELD_EVERY_CHILDREN = 256;

function exceeds(failed: number, total: number, tolerance: Tolerance): boolean {
  if (tolerance.count === undefined && tolerance.percentage === undefined) return failed > 0;
  if (tolerance.count !== undefined && failed > tolerance.count) return true;
  if (tolerance.percentage !== undefined && total > 0 && (failed / total) * 100 > tolerance.percentage) return true;
  return false;
}

export async function runDistributedMap(scope: StateScope, state: ItemProcessorMapState, plan: MapPlan): Promise<unknown> {
  const { thread, name } = scope;
  const { services, info } = thread.run;
  const label = state.Label ?? name;
  const childMachine = `${info.stateMachineName}/${label}`;
  // A replayed Map Run keeps its recorded ARN: its items' executions are named after it (childName).
  const newArn = localArn('states', services.region, `mapRun:${childMachine}:${randomUUID()}`);
  const startedId = record(thread, 'MapRunStarted', { mapRunArn: newArn });
  const startedEvent = thread.run.history.events[startedId - 1]!;
  const mapRunArn = (startedEvent.mapRunStartedEventDetails as { mapRunArn?: string } | undefined)?.mapRunArn ?? newArn;
  const round = thread.run.replay?.mapRunRound(eventKey(thread.key, thread.seq)) ?? 0;
  if (round > 0) record(thread, 'MapRunRedriven', { mapRunArn, redriveCount: round });
  const progress: MapRunProgress = { executionArn: info.executionArn, stateName: name, mapRunArn, total: 0, succeeded: 0, failed: 0, status: 'RUNNING' };
  const figures = { startDate: startedEvent.timestamp, maxConcurrency: 0, toleratedFailureCount: 0, toleratedFailurePercentage: 0, redriveCount: round };
  // The Map Run's own record (DescribeMapRun) changes only when it learns its size and when it ends.
  const announce = (status: MapRunProgress['status']) => services.reportMapRun({ ...progress, ...figures, status });
  // Once the Map Run has started, whatever ends it is recorded as MapRunFailed (or MapRunAborted).
  const failRun = (caught: unknown): never => {
    if (thread.signal.aborted) {
      record(thread, 'MapRunAborted');
      announce('ABORTED');
      throw abortError(thread.signal);
    }
    const err = toStatesError(caught);
    record(thread, 'MapRunFailed', { error: err.error, cause: err.cause });
    announce('FAILED');
    throw err;
  };

  let inputs: unknown[];
  let tolerance: Tolerance;
  let concurrency: number;
  let writerParameters: Record<string, unknown> | undefined;
  let maxConcurrency: number;
  try {
    const settings = await plan.settings();
    const items = settings.reader
      ? await readItems(services.aws.s3(), state.ItemReader!, settings.reader.parameters, settings.reader.maxItems)
      : settings.items!;
    inputs = items;
    if (plan.selects) {
      inputs = [];
      for (let index = 0; index < items.length; index++) inputs.push(await plan.select(scope, index, items[index]));
    }
    if (settings.batcher) inputs = batchItems(inputs, settings.batcher.limits, settings.batcher.batchInput);
    tolerance = settings.tolerance;
    maxConcurrency = settings.maxConcurrency;
    concurrency = capConcurrency(maxConcurrency, DISTRIBUTED_MAP_MAX_CONCURRENCY);
    writerParameters = settings.writerParameters;
  } catch (err) {
    return failRun(err);
  }
  progress.total = inputs.length;
  figures.maxConcurrency = maxConcurrency === 0 ? 0 : concurrency;
  figures.toleratedFailureCount = tolerance.count ?? 0;
  figures.toleratedFailurePercentage = tolerance.percentage ?? 0;
  announce('RUNNING');

  // A Map Run of 100,000 items keeps one of these per item: kept small (see recordOf for the full record).
  const outcomes: (ItemOutcome | undefined)[] = new Array(inputs.length);
  const recordOf = (index: number): ChildRecord => {
    const o = outcomes[index]!;
    const name = o.name ?? childName(mapRunArn, index);
    const result: ExecutionResult = { status: o.status, startDate: new Date(o.start), stopDate: new Date(o.stop) };
    if (o.status === 'SUCCEEDED') result.output = o.output;
    if (o.error !== undefined) result.error = o.error;
    if (o.cause !== undefined) result.cause = o.cause;
    return { executionArn: executionArn(services.region, childMachine, name), name, stateMachineArn: stateMachineArn(services.region, childMachine), input: inputs[index], result };
  };
  const running = new Set<Execution>();
  let thresholdExceeded = false;
  let poolFailed = false;
  const stopAll = () => {
    for (const child of running) void child.stop({ error: 'States.Aborted', cause: 'The Map Run was stopped.' });
  };
  const settle = (index: number, outcome: ItemOutcome) => {
    outcomes[index] = outcome;
    if (outcome.status === 'SUCCEEDED') progress.succeeded++;
    else progress.failed++;
    if (outcome.status !== 'SUCCEEDED' && exceeds(progress.failed, inputs.length, tolerance)) {
      thresholdExceeded = true;
      stopAll();
    }
    services.reportMapRun(progress);
  };
  thread.signal.addEventListener('abort', stopAll, { once: true });
  let started = 0;
  try {
    await runPool(inputs.length, concurrency, async (index) => {
      // Children that finish at once would start one another in one long run of microtasks: let timers, I/O (an
      // HTTP server's requests) and the garbage collector's tasks in now and then.
      if (++started % YIELD_EVERY_CHILDREN === 0) await yieldToEventLoop();
      let child: Execution;
      try {
        child = startChild(thread, state.ItemProcessor, inputs[index], childMachine, { mapRunArn, index, round });
      } catch (err) {
        // A child that cannot start is a failed item (named, but never run), counted against the tolerated failures like any other.
        const e = toStatesError(err);
        const now = Date.now();
        settle(index, outcome('FAILED', undefined, e.error, e.cause, now, now, randomUUID()));
        return;
      }
      running.add(child);
      const r = await child.done;
      running.delete(child);
      settle(index, outcome(r.status, r.output, r.error, r.cause, r.startDate.getTime(), r.stopDate.getTime(), undefined));
    }, () => thresholdExceeded || poolFailed || thread.signal.aborted);
  } catch (err) {
    // Something broke the pool itself: no child may outlive its Map Run.
    poolFailed = true;
    stopAll();
    await Promise.all([...running].map((c) => c.done));
    return failRun(err);
  } finally {
    thread.signal.removeEventListener('abort', stopAll);
  }
  if (thread.signal.aborted) return failRun(undefined);
  let written: WrittenResults | undefined;
  try {
    written = writerParameters
      ? await writeResults(services.aws.s3(), writerParameters, mapRunArn, outcomes.flatMap((o, index) => (o ? [recordOf(index)] : [])))
      : undefined;
  } catch (err) {
    return failRun(err);
  }
  if (thresholdExceeded) {
    return failRun(new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded'));
  }
  record(thread, 'MapRunSucceeded');
  announce('SUCCEEDED');
  if (written) return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: written.bucket, Key: written.manifestKey } };
  // Without ResultWriter, AWS returns a failed child's full record, as with Transformation NONE.
  return outcomes.map((o, index) => (o!.status === 'SUCCEEDED' ? o!.output : childEntry(recordOf(index))));
}

/** What a Map Run keeps of a finished item; `name` only for one that never started (the others' is childName's). */
interface ItemOutcome {
  status: ExecutionResult['status'];
  output: unknown;
  error: string | undefined;
  cause: string | undefined;
  start: number;
  stop: number;
  name: string | undefined;
}

/** Always every field, in one order: one hidden class for all of a Map Run's outcomes. */
function outcome(status: ItemOutcome['status'], output: unknown, error: string | undefined, cause: string | undefined, start: number, stop: number, name: string | undefined): ItemOutcome {
  return { status, output: status === 'SUCCEEDED' ? output : undefined, error, cause, start, stop, name };
}

/** Starts one item's child execution; an item over 256 KiB fails as AWS reports it, States.DataLimitExceeded. */
function startChild(
  thread: Thread,
  processor: BranchDefinition,
  input: unknown,
  childMachine: string,
  item: { mapRunArn: string; index: number; round: number },
): Execution {
  const { services, info } = thread.run;
  const bytes = jsonByteLength(toJson(input));
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new StatesError('States.DataLimitExceeded', `The item input is ${bytes} bytes, above the maximum of ${MAX_PAYLOAD_BYTES} bytes for a child execution.`);
  }
  const name = childName(item.mapRunArn, item.index);
  // Replayed: the item's execution is found again (a finished one keeps its result, a redriven Map Run
  // redrives the items that did not succeed).
  const existing = services.attachExecution(executionArn(services.region, childMachine, name), { redriveBefore: item.round });
  if (existing) return existing;
  return services.startExecution(childDefinition(processor, thread.run.queryLanguage), input, {
    name,
    stateMachineName: childMachine,
    parentExecutionArn: info.executionArn,
    mapRunArn: item.mapRunArn,
    awaited: true,
    round: item.round,
    // Items run under their parent's mock test case (its machine's test cases apply: see mock-config.ts).
    testCase: info.testCase,
  });
}

// One definition object per processor, so the engine serializes it once, not once per item. It carries the parent
// machine's QueryLanguage: the default of the processor's states.
const childDefinitions = new WeakMap<BranchDefinition, BranchDefinition>();
function childDefinition(processor: BranchDefinition, queryLanguage: QueryLanguage): BranchDefinition {
  let definition = childDefinitions.get(processor);
  if (!definition) {
    definition = { StartAt: processor.StartAt, States: processor.States, ...(queryLanguage === 'JSONata' ? { QueryLanguage: queryLanguage } : {}) };
    childDefinitions.set(processor, definition);
  }
  return definition;
}

/** An item's execution name: a UUID-shaped digest of its Map Run and index, the same on every replay. */
function childName(mapRunArn: string, index: number): string {
  const hex = createHash('sha256').update(`${mapRunArn}#${index}`).digest('hex');
  const name = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  // Kept by the registry for every item: flat, not the tree of pieces a template literal builds (V8 flattens on indexing).
  name.charCodeAt(0);
  return name;
}
