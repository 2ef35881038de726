// The `$$` object for one state, built only when a state actually reads it.
import { buildContext } from './context-object';
import type { StateScope } from './run-context';

export function stateContext(scope: StateScope): Record<string, unknown> {
  const { thread, name, enteredTime, retryCount, taskToken } = scope;
  return buildContext(thread.run.info, { name, enteredTime: new Date(enteredTime).toISOString(), retryCount }, thread.mapItem, taskToken);
}

// Most templates never read `$$`; building the context object for them would only cost time.
const readsContext = new WeakMap<object, boolean>();

/** The context for a template, or an empty stand-in when the template has no `$$` reference. */
export function contextFor(template: unknown, scope: StateScope): Record<string, unknown> {
  if (template === null || typeof template !== 'object') return stateContext(scope);
  let uses = readsContext.get(template);
  if (uses === undefined) readsContext.set(template, (uses = JSON.stringify(template).includes('$$')));
  return uses ? stateContext(scope) : EMPTY;
}
const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
