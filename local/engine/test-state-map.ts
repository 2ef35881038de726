// A mocked Map under TestState: its input side runs as the Map would run it (items from ItemsPath or the
// ItemReader data given, ItemSelector, ItemBatcher, MaxConcurrency, tolerated failures), the iterations do not:
// the mock stands for their results. What each step produced goes to inspectionData.
import { toleranceOf } from './states/distributed-map';
import { StatesError } from './errors';
import { batchItems } from './item-batcher';
import { toJson } from './json-text';
import { readPath } from './json-path';
import { concurrencyOf, itemsOf } from './map-items';
import { applyPayloadTemplate } from './payload-template';
import { DISTRIBUTED_MAP_MAX_CONCURRENCY } from './quotas';
import type { StateScope } from './run-context';
import { stateContext } from './state-context';
import { TestStateRequestError } from './test-state-request';
import type { InspectionData } from './test-state-types';
import type { MapState } from './types';

/** What a Map's input side shows in inspectionData. */
export type MapInspection = Pick<InspectionData, 'afterItemsPath' | 'afterItemSelector' | 'afterItemBatcher' | 'maxConcurrency' | 'toleratedFailureCount' | 'toleratedFailurePercentage'>;

/**
 * Runs the input side of `state` on `effective` (its input after InputPath), recording each step in `inspection`.
 * `failed` iterations beyond the tolerated failure threshold fail the Map, as they would in an execution.
 */
export function runMapInput(
  scope: StateScope,
  state: MapState,
  effective: unknown,
  readerItems: unknown[] | undefined,
  failed: number | undefined,
  inspection: MapInspection,
): void {
  // Without the data, the input stands for what the ItemReader read (the developer guide's advice).
  const items = readerItems ?? itemsOf(scope.name, state, effective);
  inspection.afterItemsPath = toJson(items);
  const selector = state.ItemSelector ?? state.Parameters;
  let inputs = items;
  if (selector !== undefined) {
    const context = stateContext(scope);
    inputs = items.map((value, index) => applyPayloadTemplate(selector, effective, { ...context, Map: { Item: { Index: index, Value: value } } }, 'ItemSelector'));
    inspection.afterItemSelector = toJson(inputs);
  }
  if (state.ItemBatcher) {
    const batchInput = state.ItemBatcher.BatchInput === undefined
      ? undefined
      : applyPayloadTemplate(state.ItemBatcher.BatchInput, effective, stateContext(scope), 'BatchInput');
    inputs = batchItems(inputs, state.ItemBatcher, effective, batchInput);
    inspection.afterItemBatcher = toJson(inputs);
  }
  concurrencyOf(scope.name, state, effective, DISTRIBUTED_MAP_MAX_CONCURRENCY);
  inspection.maxConcurrency = (state.MaxConcurrencyPath !== undefined ? readPath(effective, state.MaxConcurrencyPath, 'MaxConcurrencyPath') : state.MaxConcurrency ?? 0) as number;
  const { count, percentage } = toleranceOf(scope.name, state, effective);
  if (count !== undefined) inspection.toleratedFailureCount = count;
  if (percentage !== undefined) inspection.toleratedFailurePercentage = percentage;

  if (failed === undefined) return;
  if (failed > inputs.length) {
    throw new TestStateRequestError(
      'ValidationException',
      `stateConfiguration.mapIterationFailureCount (${failed}) cannot exceed the number of Map iterations (${inputs.length}).`,
    );
  }
  // As AWS's TestState does, a Map with no threshold configured is not failed by the count.
  const exceeded = (count !== undefined && failed > count) || (percentage !== undefined && inputs.length > 0 && (failed / inputs.length) * 100 > percentage);
  if (exceeded) throw new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
}
