// Distributed Map: items from ItemReader (or ItemsPath), ItemSelector, ItemBatcher, each item or batch run as
// a child execution with its own history, tolerated failures, and ResultWriter.
import { randomUUID } from 'node:crypto';
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
import { record, type MapRunProgress, type StateScope, type Thread } from '../run-context';
import { stateContext } from '../state-context';
import type { BranchDefinition, Execution, ItemProcessorMapState, MapState } from '../types';

function toleranceOf(name: string, state: MapState, input: unknown): { count?: number; percentage?: number } {
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
  const mapRunArn = localArn('states', services.region, `mapRun:${childMachine}:${randomUUID()}`);
  const progress: MapRunProgress = { executionArn: info.executionArn, stateName: name, mapRunArn, total: 0, succeeded: 0, failed: 0, status: 'RUNNING' };
  record(thread, 'MapRunStarted', { mapRunArn });
  // Once the Map Run has started, whatever ends it is recorded as MapRunFailed (or MapRunAborted).
  const failRun = (caught: unknown): never => {
    if (thread.signal.aborted) {
      record(thread, 'MapRunAborted');
      services.reportMapRun({ ...progress, status: 'ABORTED' });
      throw abortError(thread.signal);
    }
    const err = toStatesError(caught);
    record(thread, 'MapRunFailed', { error: err.error, cause: err.cause });
    services.reportMapRun({ ...progress, status: 'FAILED' });
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
  services.reportMapRun(progress);

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
        child = startChild(thread, state.ItemProcessor, inputs[index], childMachine);
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
  services.reportMapRun({ ...progress, status: 'SUCCEEDED' });
  if (written) return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: written.bucket, Key: written.manifestKey } };
  // Without ResultWriter, AWS returns a failed child's full record, as with Transformation NONE.
  return children.map((c) => (c.result.status === 'SUCCEEDED' ? c.result.output : childEntry(c)));
}

/** Starts one item's child execution; an item over 256 KiB fails as AWS reports it, States.DataLimitExceeded. */
function startChild(thread: Thread, processor: BranchDefinition, input: unknown, childMachine: string): Execution {
  const { services, info } = thread.run;
  const bytes = jsonByteLength(toJson(input));
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new StatesError('States.DataLimitExceeded', `The item input is ${bytes} bytes, above the maximum of ${MAX_PAYLOAD_BYTES} bytes for a child execution.`);
  }
  return services.startExecution({ StartAt: processor.StartAt, States: processor.States }, input, { stateMachineName: childMachine, parentExecutionArn: info.executionArn });
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
