// Shared pieces of inline and Distributed Map: the processor, the checks on their settings' values, and a bounded
// worker pool.
import { StatesError } from './errors';
import type { BranchDefinition, MapState } from './types';

/** ItemProcessor, or Iterator in a Map written before ItemProcessor existed. */
export function mapProcessor(state: MapState): BranchDefinition {
  return state.ItemProcessor === undefined ? state.Iterator : state.ItemProcessor;
}

export const isNonNegativeInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
export const isPositiveInteger = (v: unknown): v is number => isNonNegativeInteger(v) && v > 0;
export const isPercentage = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 100;

/** A JSONPath Map's items: the value at ItemsPath (default `$`), which must be an array. */
export function checkedItems(name: string, items: unknown, itemsPath: string | undefined): unknown[] {
  if (!Array.isArray(items)) {
    throw new StatesError('States.Runtime', `Map state '${name}': ItemsPath ${itemsPath ?? '$'} must reference a JSON array, got ${items === null ? 'null' : typeof items}.`);
  }
  return items;
}

/** MaxConcurrency as run: 0 means "as many as allowed", which `cap` bounds. */
export function capConcurrency(value: number, cap: number): number {
  return value === 0 ? cap : Math.min(value, cap);
}

/**
 * Runs `work(i)` for i in [0, count) with at most `concurrency` at once, in index order.
 * Stops starting new work once `shouldStop()` says so; resolves when all started work has settled.
 */
export async function runPool(count: number, concurrency: number, work: (index: number) => Promise<void>, shouldStop: () => boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && !shouldStop()) {
      const index = next++;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
