// A mocked Map under TestState: its input side runs as the Map would run it (its plan's items, or the ItemReader
// data given, ItemSelector, ItemBatcher, MaxConcurrency, tolerated failures), the iterations do not: the mock stands
// for their results. What each step produced goes to inspectionData.
import { StatesError } from './errors';
import { batchItems } from './item-batcher';
import { toJson } from './json-text';
import type { MapPlan } from './map-plan';
import type { StateScope } from './run-context';
import { TestStateRequestError } from './test-state-request';
import type { InspectionData } from './test-state-types';

/** What a Map's input side shows in inspectionData. */
export type MapInspection = Pick<InspectionData, 'afterItemsPath' | 'afterItemSelector' | 'afterItemBatcher' | 'maxConcurrency' | 'toleratedFailureCount' | 'toleratedFailurePercentage'>;

export interface MapInputCase {
  plan: MapPlan;
  /** The items when the Map has an ItemReader and no data was given for it (the guide: the input stands for them). */
  unreadItems: () => unknown[];
  /** The ItemReader data given (stateConfiguration.mapItemReaderData). */
  readerItems?: unknown[];
  /** Failed iterations, checked against the tolerated failure threshold (only with a mocked result). */
  failed?: number;
  /** JSONPath shows the items after ItemsPath; JSONata has no ItemsPath. */
  showItems: boolean;
}

/** Runs the input side of a Map, recording each step in `inspection`. */
export async function runMapInput(scope: StateScope, c: MapInputCase, inspection: MapInspection): Promise<void> {
  const settings = await c.plan.settings();
  const items = settings.reader ? (c.readerItems ?? c.unreadItems()) : settings.items!;
  if (c.showItems) inspection.afterItemsPath = toJson(items);
  let inputs = items;
  if (c.plan.selects) {
    inputs = [];
    for (let index = 0; index < items.length; index++) inputs.push(await c.plan.select(scope, index, items[index]));
    inspection.afterItemSelector = toJson(inputs);
  }
  if (settings.batcher) {
    inputs = batchItems(inputs, settings.batcher.limits, settings.batcher.batchInput);
    inspection.afterItemBatcher = toJson(inputs);
  }
  inspection.maxConcurrency = settings.maxConcurrency;
  const { count, percentage } = settings.tolerance;
  if (count !== undefined) inspection.toleratedFailureCount = count;
  if (percentage !== undefined) inspection.toleratedFailurePercentage = percentage;

  const failed = c.failed;
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
