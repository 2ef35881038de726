// Inline Map: ItemsPath → ItemSelector (legacy Parameters) per item with $$.Map.Item → ItemProcessor
// (legacy Iterator) per item, at most 40 at once → array of results. Distributed mode is delegated.
import { applyInputPath, applyOutputPath, applyResultPath } from '../io-processing';
import { concurrencyOf, itemsOf, runPool } from '../map-items';
import { applyPayloadTemplate } from '../payload-template';
import { INLINE_MAP_MAX_CONCURRENCY } from '../quotas';
import { childThread, record, type Thread } from '../run-context';
import { runBranch } from '../run-state';
import { contextFor, stateContext } from '../state-context';
import { childController } from '../timers';
import type { BranchDefinition, StateDefinition } from '../types';
import { runDistributedMap } from './distributed-map';
import { toStatesError } from './task';

export function isDistributed(state: StateDefinition): boolean {
  return state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

export function mapProcessor(state: StateDefinition): BranchDefinition {
  return (state.ItemProcessor ?? state.Iterator)!;
}

export async function runMap(thread: Thread, name: string, state: StateDefinition, rawInput: unknown, enteredTime: number, retryCount: number): Promise<unknown> {
  const effective = applyInputPath(rawInput, state.InputPath);
  let result = isDistributed(state)
    ? await runDistributedMap(thread, name, state, effective, enteredTime)
    : await runInlineMap(thread, name, state, effective, enteredTime);
  if (state.ResultSelector !== undefined) {
    result = applyPayloadTemplate(state.ResultSelector, result, contextFor(state.ResultSelector, thread, name, enteredTime, retryCount), 'ResultSelector');
  }
  return applyOutputPath(applyResultPath(rawInput, result, state.ResultPath), state.OutputPath);
}

async function runInlineMap(thread: Thread, name: string, state: StateDefinition, effective: unknown, enteredTime: number): Promise<unknown[]> {
  const items = itemsOf(name, state, effective);
  const concurrency = concurrencyOf(name, state, effective, INLINE_MAP_MAX_CONCURRENCY);
  const selector = state.ItemSelector ?? state.Parameters;
  const processor = mapProcessor(state);
  record(thread, 'MapStateStarted', { length: items.length });
  const mapStartedId = thread.lastEventId;
  const { controller, detach } = childController(thread.signal);
  const results = new Array<unknown>(items.length);
  let firstError: unknown;

  await runPool(items.length, concurrency, async (index) => {
    const mapItem = { Index: index, Value: items[index] };
    const iteration = childThread(thread, controller.signal, mapItem);
    iteration.lastEventId = mapStartedId;
    try {
      record(iteration, 'MapIterationStarted', { name, index });
      const input = selector !== undefined
        ? applyPayloadTemplate(selector, effective, stateContext(iteration, name, enteredTime, 0), 'ItemSelector')
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
