// Distributed Map: items from ItemReader (or ItemsPath), ItemSelector, ItemBatcher, each item or batch run as
// a child execution with its own history, tolerated failures, and ResultWriter.
import { randomUUID } from 'node:crypto';
import { StatesError } from '../errors';
import { batchItems } from '../item-batcher';
import { readItems } from '../item-reader';
import { readPath } from '../json-path';
import { concurrencyOf, itemsOf, runPool } from '../map-items';
import { applyPayloadTemplate } from '../payload-template';
import { DISTRIBUTED_MAP_MAX_CONCURRENCY } from '../quotas';
import { writeResults, type ChildRecord } from '../result-writer';
import { record, type Thread } from '../run-context';
import { stateContext } from '../state-context';
import { abortError } from '../timers';
import type { Execution, StateDefinition } from '../types';

function toleranceOf(name: string, state: StateDefinition, input: unknown): { count?: number; percentage?: number } {
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

async function loadItems(thread: Thread, name: string, state: StateDefinition, effective: unknown, enteredTime: number): Promise<unknown[]> {
  const reader = state.ItemReader;
  if (!reader) return itemsOf(name, state, effective);
  const parameters = applyPayloadTemplate(reader.Parameters ?? {}, effective, stateContext(thread, name, enteredTime, 0), 'ItemReader.Parameters');
  return readItems(thread.run.services.aws.s3(), reader, parameters as Record<string, unknown>, effective);
}

export async function runDistributedMap(thread: Thread, name: string, state: StateDefinition, effective: unknown, enteredTime: number): Promise<unknown> {
  const { services, info } = thread.run;
  const items = await loadItems(thread, name, state, effective, enteredTime);
  const selector = state.ItemSelector ?? state.Parameters;
  let inputs = selector === undefined
    ? items
    : items.map((value, index) =>
        applyPayloadTemplate(selector, effective, { ...stateContext(thread, name, enteredTime, 0), Map: { Item: { Index: index, Value: value } } }, 'ItemSelector'),
      );
  if (state.ItemBatcher) {
    const batchInput = state.ItemBatcher.BatchInput === undefined
      ? undefined
      : applyPayloadTemplate(state.ItemBatcher.BatchInput, effective, stateContext(thread, name, enteredTime, 0), 'BatchInput');
    inputs = batchItems(inputs, state.ItemBatcher, effective, batchInput);
  }
  const tolerance = toleranceOf(name, state, effective);
  const concurrency = concurrencyOf(name, state, effective, DISTRIBUTED_MAP_MAX_CONCURRENCY);
  const label = state.Label ?? name;
  const childMachine = `${info.stateMachineName}/${label}`;
  const mapRunArn = `arn:aws:states:${services.region}:000000000000:mapRun:${childMachine}:${randomUUID()}`;
  const processor = state.ItemProcessor!;
  record(thread, 'MapRunStarted', { mapRunArn });

  const children: ChildRecord[] = new Array(inputs.length);
  const running = new Set<Execution>();
  let failed = 0;
  let thresholdExceeded = false;
  const stopAll = () => {
    for (const child of running) void child.stop({ error: 'States.Aborted', cause: 'The Map Run was stopped.' });
  };
  thread.signal.addEventListener('abort', stopAll, { once: true });
  try {
    await runPool(inputs.length, concurrency, async (index) => {
      const child = services.startExecution({ StartAt: processor.StartAt, States: processor.States }, inputs[index], {
        stateMachineName: childMachine,
        parentExecutionArn: info.executionArn,
      });
      running.add(child);
      const result = await child.done;
      running.delete(child);
      children[index] = { executionArn: child.executionArn, name: child.name, stateMachineArn: child.stateMachineArn, input: inputs[index], result };
      if (result.status !== 'SUCCEEDED' && ++failed && exceeds(failed, inputs.length, tolerance)) {
        thresholdExceeded = true;
        stopAll();
      }
    }, () => thresholdExceeded || thread.signal.aborted);
  } finally {
    thread.signal.removeEventListener('abort', stopAll);
  }
  if (thread.signal.aborted) {
    record(thread, 'MapRunAborted');
    throw abortError(thread.signal);
  }
  const finished = children.filter((c): c is ChildRecord => c !== undefined);
  const written = state.ResultWriter?.Parameters
    ? await writeResults(
        services.aws.s3(),
        applyPayloadTemplate(state.ResultWriter.Parameters, effective, stateContext(thread, name, enteredTime, 0), 'ResultWriter.Parameters') as Record<string, unknown>,
        mapRunArn,
        finished,
      )
    : undefined;
  if (thresholdExceeded) {
    const err = new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
    record(thread, 'MapRunFailed', { error: err.error, cause: err.cause });
    throw err;
  }
  record(thread, 'MapRunSucceeded');
  if (written) return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: written.bucket, Key: written.manifestKey } };
  return children.map((c) => (c.result.status === 'SUCCEEDED' ? c.result.output : { Error: c.result.error, Cause: c.result.cause }));
}
