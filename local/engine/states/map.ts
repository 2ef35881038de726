// Inline Map: ItemsPath → ItemSelector (legacy Parameters) per item with $$.Map.Item → ItemProcessor
// (legacy Iterator) per item, at most 40 at once → array of results. Distributed mode is delegated.
import { toStatesError } from '../errors';
import { applyInputPath, processResult } from '../io-processing';
import { concurrencyOf, itemsOf, mapProcessor, runPool } from '../map-items';
import { applyPayloadTemplate } from '../payload-template';
import { INLINE_MAP_MAX_CONCURRENCY } from '../quotas';
import { childThread, record, type StateScope } from '../run-context';
import { runBranch } from '../run-state';
import { stateContext } from '../state-context';
import { childController } from '../timers';
import type { ItemProcessorMapState, MapState } from '../types';
import { runDistributedMap } from './distributed-map';

export function isDistributed(state: MapState): state is ItemProcessorMapState {
  return state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

export async function runMap(scope: StateScope, state: MapState, rawInput: unknown): Promise<unknown> {
  const effective = applyInputPath(rawInput, state.InputPath);
  // The templates inside the Map (ItemSelector, ItemReader, BatchInput, ResultWriter) read $$.State.RetryCount
  // as 0; only ResultSelector sees the attempt.
  const entry = { ...scope, retryCount: 0 };
  const result = isDistributed(state)
    ? await runDistributedMap(entry, state, effective)
    : await runInlineMap(entry, state, effective);
  return processResult(scope, state, rawInput, result);
}

async function runInlineMap(scope: StateScope, state: MapState, effective: unknown): Promise<unknown[]> {
  const { thread, name } = scope;
  const items = itemsOf(name, state, effective);
  const concurrency = concurrencyOf(name, state, effective, INLINE_MAP_MAX_CONCURRENCY);
  const selector = state.ItemSelector ?? state.Parameters;
  const processor = mapProcessor(state);
  record(thread, 'MapStateStarted', { length: items.length });
  const mapStartedId = thread.lastEventId;
  const forkSeq = thread.seq;
  const { controller, detach } = childController(thread.signal);
  const results = new Array<unknown>(items.length);
  let firstError: unknown;

  await runPool(items.length, concurrency, async (index) => {
    const mapItem = { Index: index, Value: items[index] };
    const iteration = childThread(thread, controller.signal, forkSeq, index, mapItem);
    iteration.lastEventId = mapStartedId;
    try {
      record(iteration, 'MapIterationStarted', { name, index });
      const input = selector !== undefined
        ? applyPayloadTemplate(selector, effective, stateContext({ ...scope, thread: iteration }), 'ItemSelector')
        : items[index];
      results[index] = await runBranch(iteration, processor, input);
      record(iteration, 'MapIterationSucceeded', { name, index });
    } catch (err) {
      if (firstError === undefined) {
        firstError = err;
        if (!controller.signal.aborted) record(iteration, 'MapIterationFailed', { name, index });
        controller.abort(toStatesError(err));
      } else if (controller.signal.aborted) {
        record(iteration, 'MapIterationAborted', { name, index });
      }
    }
  }, () => firstError !== undefined);
  detach();
  thread.lastEventId = Math.max(thread.lastEventId, mapStartedId);
  if (firstError !== undefined) {
    if (!thread.signal.aborted) record(thread, 'MapStateFailed');
    throw firstError;
  }
  record(thread, 'MapStateSucceeded');
  return results;
}
