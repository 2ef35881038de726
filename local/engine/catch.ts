// Catch: the first catcher whose ErrorEquals matches, and what a catcher hands to its Next state.
import { jsonataAssignment, jsonPathAssignment } from './assign';
import { applyResultPath } from './io-processing';
import { errorMatches } from './error-matching';
import type { StatesError } from './errors';
import { evaluateField, jsonataScope } from './jsonata/evaluate';
import type { StateScope } from './run-context';
import type { Outcome } from './states/state-result';
import type { Catcher, QueryLanguage } from './types';

/** The index of the first catcher that matches `error`, or -1. */
export function findCatcherIndex(catchers: readonly Catcher[] | undefined, error: string): number {
  return catchers?.findIndex((c) => errorMatches(c.ErrorEquals, error)) ?? -1;
}

/**
 * The output and variables of catcher `index` handling `err` in a state of `language`: its ResultPath
 * (JSONPath) or Output (JSONata) over the error output, and its Assign. Not yet committed.
 */
export async function catcherOutcome(scope: StateScope, language: QueryLanguage, catcher: Catcher, index: number, input: unknown, err: StatesError): Promise<Outcome> {
  const errorOutput = { Error: err.error, Cause: err.cause };
  if (language !== 'JSONata') {
    return { output: catcherOutput(catcher, input, err), assign: jsonPathAssignment(scope, catcher.Assign, errorOutput, `Catch[${index}].Assign`) };
  }
  const js = jsonataScope(scope, { input, errorOutput });
  const assign = await jsonataAssignment(js, catcher.Assign, `Catch[${index}]/Assign`);
  const output = catcher.Output === undefined ? errorOutput : await evaluateField(js, catcher.Output, `Catch[${index}]/Output`);
  return { output, assign };
}

/** The error output `{ Error, Cause }` placed into the raw state input at the catcher's ResultPath (default `$`). */
export function catcherOutput(catcher: Catcher, stateInput: unknown, err: StatesError): unknown {
  const errorOutput = { Error: err.error, Cause: err.cause };
  return applyResultPath(stateInput, errorOutput, catcher.ResultPath === undefined ? '$' : catcher.ResultPath);
}
