// Shared pieces of inline and Distributed Map: the processor, the items array, MaxConcurrency, and a bounded
// worker pool.
import { StatesError } from './errors';
import { readPath } from './json-path';
import type { BranchDefinition, MapState } from './types';

/** ItemProcessor, or Iterator in a Map written before ItemProcessor existed. */
export function mapProcessor(state: MapState): BranchDefinition {
  return state.ItemProcessor === undefined ? state.Iterator : state.ItemProcessor;
}

export function itemsOf(name: string, state: MapState, effective: unknown): unknown[] {
  const items = state.ItemsPath !== undefined ? readPath(effective, state.ItemsPath, 'ItemsPath') : effective;
  if (!Array.isArray(items)) {
    throw new StatesError('States.Runtime', `Map state '${name}': ItemsPath ${state.ItemsPath ?? '$'} must reference a JSON array, got ${items === null ? 'null' : typeof items}.`);
  }
  return items;
}

/** MaxConcurrency (or …Path); 0 or absent means "as many as allowed", which `cap` bounds. */
export function concurrencyOf(name: string, state: MapState, effective: unknown, cap: number): number {
  let value: unknown = state.MaxConcurrency ?? 0;
  if (state.MaxConcurrencyPath !== undefined) value = readPath(effective, state.MaxConcurrencyPath, 'MaxConcurrencyPath');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StatesError('States.Runtime', `Map state '${name}': MaxConcurrency must be a non-negative integer, got ${JSON.stringify(value)}.`);
  }
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
