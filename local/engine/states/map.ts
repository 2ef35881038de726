// Map. The items (JSONPath: InputPath → ItemsPath; JSONata: Items, default the input), each through ItemSelector
// with $$.Map.Item into the ItemProcessor (legacy Iterator), at most 40 at once; the result is the array of
// iteration outputs (JSONPath: → ResultSelector → ResultPath → OutputPath; JSONata: → Output), which Assign reads.
// Each iteration has its own variable scope, gone when it ends. Distributed mode is delegated.
import { jsonataAssignment, jsonPathAssignment } from '../assign';
import { toStatesError } from '../errors';
import { envOf } from '../eval-env';
import { applyInputPath, processResult } from '../io-processing';
import { evaluateField, jsonataScope, withStates } from '../jsonata/evaluate';
import { capConcurrency, mapProcessor, runPool } from '../map-items';
import { jsonataMapPlan, jsonPathMapPlan, type MapPlan } from '../map-plan';
import { INLINE_MAP_MAX_CONCURRENCY } from '../quotas';
import { childThread, record, type StateScope } from '../run-context';
import { runBranch } from '../run-state';
import { childController } from '../timers';
import type { ItemProcessorMapState, MapState } from '../types';
import { closeScope } from '../variables';
import { runDistributedMap } from './distributed-map';
import type { Outcome } from './state-result';

export function isDistributed(state: MapState): state is ItemProcessorMapState {
  return state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** The Map's own run, as both languages share it; the fields inside read $$.State.RetryCount as 0. */
function runItems(scope: StateScope, state: MapState, plan: MapPlan): Promise<unknown> {
  const entry = { ...scope, retryCount: 0 };
  return isDistributed(state) ? runDistributedMap(entry, state, plan) : runInlineMap(entry, state, plan);
}

export async function runMap(scope: StateScope, state: MapState, rawInput: unknown): Promise<Outcome> {
  const effective = applyInputPath(rawInput, state.InputPath, envOf(scope.thread));
  const result = await runItems(scope, state, jsonPathMapPlan(scope, state, effective));
  const assign = jsonPathAssignment(scope, state.Assign, result);
  return { output: processResult(scope, state, rawInput, result), assign };
}

export async function runJsonataMap(scope: StateScope, state: MapState, input: unknown): Promise<Outcome> {
  const js = jsonataScope({ ...scope, retryCount: 0 }, { input });
  const result = await runItems(scope, state, jsonataMapPlan(js, state));
  const after = withStates(jsonataScope(scope, { input }), { input, result });
  const assign = await jsonataAssignment(after, state.Assign, 'Assign');
  return { output: state.Output === undefined ? result : await evaluateField(after, state.Output, 'Output'), assign };
}

async function runInlineMap(scope: StateScope, state: MapState, plan: MapPlan): Promise<unknown[]> {
  const { thread } = scope;
  const settings = await plan.settings();
  const items = settings.items!;
  const concurrency = capConcurrency(settings.maxConcurrency, INLINE_MAP_MAX_CONCURRENCY);
  const processor = mapProcessor(state);
  record(thread, 'MapStateStarted', { length: items.length });
  const mapStartedId = thread.lastEventId;
  const forkSeq = thread.seq;
  const { controller, detach } = childController(thread.signal, true);
  const results = new Array<unknown>(items.length);
  let firstError: unknown;

  await runPool(items.length, concurrency, async (index) => {
    const mapItem = { Index: index, Value: items[index] };
    const iteration = childThread(thread, controller.signal, forkSeq, index, mapItem);
    iteration.lastEventId = mapStartedId;
    try {
      record(iteration, 'MapIterationStarted', { name: scope.name, index });
      const input = plan.selects ? await plan.select({ ...scope, thread: iteration }, index, items[index]) : items[index];
      results[index] = await runBranch(iteration, processor, input);
      record(iteration, 'MapIterationSucceeded', { name: scope.name, index });
    } catch (err) {
      if (firstError === undefined) {
        firstError = err;
        if (!controller.signal.aborted) record(iteration, 'MapIterationFailed', { name: scope.name, index });
        controller.abort(toStatesError(err));
      } else if (controller.signal.aborted) {
        record(iteration, 'MapIterationAborted', { name: scope.name, index });
      }
    } finally {
      closeScope(iteration.vars);
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
