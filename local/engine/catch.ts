// Catch: the first catcher whose ErrorEquals matches, and the output a JSONPath catcher hands to its Next state.
import { applyResultPath } from './io-processing';
import { errorMatches } from './error-matching';
import type { StatesError } from './errors';
import type { Catcher } from './types';

/** The index of the first catcher that matches `error`, or -1. */
export function findCatcherIndex(catchers: readonly Catcher[] | undefined, error: string): number {
  return catchers?.findIndex((c) => errorMatches(c.ErrorEquals, error)) ?? -1;
}

/** The error output `{ Error, Cause }` placed into the raw state input at the catcher's ResultPath (default `$`). */
export function catcherOutput(catcher: Catcher, stateInput: unknown, err: StatesError): unknown {
  const errorOutput = { Error: err.error, Cause: err.cause };
  return applyResultPath(stateInput, errorOutput, catcher.ResultPath === undefined ? '$' : catcher.ResultPath);
}
