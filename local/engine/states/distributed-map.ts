// Distributed Map: items from ItemReader (or ItemsPath), ItemSelector, ItemBatcher, each item or batch run as
// a child execution with its own history, tolerated failures, and ResultWriter.
import { createHash, randomUUID } from 'node:crypto';
import { localArn } from '../../local-arn';
import { abortError, StatesError, toStatesError } from '../errors';
import { batchItems } from '../item-batcher';
import { readItems } from '../item-reader';
import { readPath } from '../json-path';
import { concurrencyOf, itemsOf, runPool } from '../map-items';
import { applyPayloadTemplate } from '../payload-template';
import { DISTRIBUTED_MAP_MAX_CONCURRENCY, jsonByteLength, MAX_PAYLOAD_BYTES } from '../quotas';
import { executionArn, stateMachineArn } from '../execution';
import { toJson } from '../json-text';
import { childEntry, writeResults, type ChildRecord, type WrittenResults } from '../result-writer';
import { eventKey } from '../replay';
import { record, type MapRunProgress, type StateScope, type Thread } from '../run-context';
import { stateContext } from '../state-context';
import type { BranchDefinition, Execution, ItemProcessorMapState, MapState } from '../types';

/** ToleratedFailureCount/Percentage (or their …Path forms), checked as AWS checks them. */
export function toleranceOf(name: string, state: MapState, input: unknown): { count?: number; percentage?: number } {
  const read = (value: unknown, path: string | undefined, field: string, max: number): number | undefined => {
    const v = path !== undefined ? readPath(input, path, `${field}Path`) : value;
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || v < 0 || v > max) {
      throw new StatesError('States.Runtime', `Map state '${name}': ${field} must be a number from 0 to ${max}, got ${JSON.stringify(v)}.`);
    }
    return v;
  };
  return {
    count: read(state.ToleratedFailureCount, state.ToleratedFailureCountPath, 'ToleratedFailureCount', Number.MAX_SAFE_INTEGER),
    percentage: read(state.ToleratedFailurePercentage, state.ToleratedFailurePercentagePath, 'ToleratedFailurePercentage', 100),
  };
}

function exceeds(failed: number, total: number, tolerance: { count?: number; percentage?: number }): boolean {
  if (tolerance.count === undefined && tolerance.percentage === undefined) return failed > 0;
  if (tolerance.count !== undefined && failed > tolerance.count) return true;
  if (tolerance.percentage !== undefined && total > 0 && (failed / total) * 100 > tolerance.percentage) return true;
  return false;
}

async function loadItems(scope: StateScope, state: MapState, effective: unknown): Promise<unknown[]> {
  const reader = state.ItemReader;
  if (!reader) return itemsOf(scope.name, state, effective);
  const parameters = applyPayloadTemplate(reader.Parameters ?? {}, effective, stateContext(scope), 'ItemReader.Parameters');
  return readItems(scope.thread.run.services.aws.s3(), reader, parameters as Record<string, unknown>, effective);
}

export async function runDistributedMap(scope: StateScope, state: ItemProcessorMapState, effective: unknown): Promise<unknown> {
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
  let tolerance: { count?: number; percentage?: number };
  let concurrency: number;
  try {
    const items = await loadItems(scope, state, effective);
    const selector = state.ItemSelector ?? state.Parameters;
    inputs = selector === undefined
      ? items
      : items.map((value, index) =>
          applyPayloadTemplate(selector, effective, { ...stateContext(scope), Map: { Item: { Index: index, Value: value } } }, 'ItemSelector'),
        );
    if (state.ItemBatcher) {
      const batchInput = state.ItemBatcher.BatchInput === undefined
        ? undefined
        : applyPayloadTemplate(state.ItemBatcher.BatchInput, effective, stateContext(scope), 'BatchInput');
      inputs = batchItems(inputs, state.ItemBatcher, effective, batchInput);
    }
    tolerance = toleranceOf(name, state, effective);
    concurrency = concurrencyOf(name, state, effective, DISTRIBUTED_MAP_MAX_CONCURRENCY);
  } catch (err) {
    return failRun(err);
  }
  progress.total = inputs.length;
  figures.maxConcurrency = state.MaxConcurrency === undefined && state.MaxConcurrencyPath === undefined ? 0 : concurrency;
  figures.toleratedFailureCount = tolerance.count ?? 0;
  figures.toleratedFailurePercentage = tolerance.percentage ?? 0;
  announce('RUNNING');

  const children: ChildRecord[] = new Array(inputs.length);
  const running = new Set<Execution>();
  let thresholdExceeded = false;
  let poolFailed = false;
  const stopAll = () => {
    for (const child of running) void child.stop({ error: 'States.Aborted', cause: 'The Map Run was stopped.' });
  };
  const settle = (index: number, child: ChildRecord) => {
    children[index] = child;
    if (child.result.status === 'SUCCEEDED') progress.succeeded++;
    else progress.failed++;
    if (child.result.status !== 'SUCCEEDED' && exceeds(progress.failed, inputs.length, tolerance)) {
      thresholdExceeded = true;
      stopAll();
    }
    services.reportMapRun(progress);
  };
  thread.signal.addEventListener('abort', stopAll, { once: true });
  try {
    await runPool(inputs.length, concurrency, async (index) => {
      let child: Execution;
      try {
        child = startChild(thread, state.ItemProcessor, inputs[index], childMachine, { mapRunArn, index, round });
      } catch (err) {
        // A child that cannot start is a failed item, counted against the tolerated failures like any other.
        settle(index, unstartedChild(services.region, childMachine, inputs[index], toStatesError(err)));
        return;
      }
      running.add(child);
      const result = await child.done;
      running.delete(child);
      settle(index, { executionArn: child.executionArn, name: child.name, stateMachineArn: child.stateMachineArn, input: inputs[index], result });
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
  const finished = children.filter((c): c is ChildRecord => c !== undefined);
  let written: WrittenResults | undefined;
  try {
    written = state.ResultWriter?.Parameters
      ? await writeResults(
          services.aws.s3(),
          applyPayloadTemplate(state.ResultWriter.Parameters, effective, stateContext(scope), 'ResultWriter.Parameters') as Record<string, unknown>,
          mapRunArn,
          finished,
        )
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
  return children.map((c) => (c.result.status === 'SUCCEEDED' ? c.result.output : childEntry(c)));
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
  return services.startExecution(childDefinition(processor), input, {
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

// One definition object per processor, so the engine serializes it once, not once per item.
const childDefinitions = new WeakMap<BranchDefinition, BranchDefinition>();
function childDefinition(processor: BranchDefinition): BranchDefinition {
  let definition = childDefinitions.get(processor);
  if (!definition) childDefinitions.set(processor, (definition = { StartAt: processor.StartAt, States: processor.States }));
  return definition;
}

/** An item's execution name: a UUID-shaped digest of its Map Run and index, the same on every replay. */
function childName(mapRunArn: string, index: number): string {
  const hex = createHash('sha256').update(`${mapRunArn}#${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The record of an item whose child execution could not start. */
function unstartedChild(region: string, childMachine: string, input: unknown, err: StatesError): ChildRecord {
  const name = randomUUID();
  const now = new Date();
  return {
    executionArn: executionArn(region, childMachine, name),
    name,
    stateMachineArn: stateMachineArn(region, childMachine),
    input,
    result: { status: 'FAILED', error: err.error, cause: err.cause, startDate: now, stopDate: now },
  };
}
