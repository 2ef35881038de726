// Fail: the error it raises, from Error/Cause, their …Path forms (a reference path or an intrinsic) in JSONPath, or
// JSONata strings giving strings.
import { StatesError } from '../errors';
import { envOf } from '../eval-env';
import { evaluateIntrinsic } from '../intrinsics';
import { evaluateTyped, jsonataScope } from '../jsonata/evaluate';
import { readPath } from '../json-path';
import type { StateScope } from '../run-context';
import { stateContext } from '../state-context';
import type { FailState } from '../types';

function dynamicString(scope: StateScope, expr: string, input: unknown, field: string): string {
  const env = envOf(scope.thread);
  const value = expr.startsWith('States.')
    ? evaluateIntrinsic(expr, input, stateContext(scope), env)
    : readPath(input, expr, field, env);
  if (typeof value !== 'string') {
    throw new StatesError('States.Runtime', `The value of ${field} in state '${scope.name}' must be a string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function failError(scope: StateScope, state: FailState, rawInput: unknown): StatesError {
  const error = state.ErrorPath !== undefined
    ? dynamicString(scope, state.ErrorPath, rawInput, 'ErrorPath')
    : (state.Error ?? '');
  const cause = state.CausePath !== undefined
    ? dynamicString(scope, state.CausePath, rawInput, 'CausePath')
    : (state.Cause ?? '');
  return new StatesError(error, cause);
}

const aString = (v: unknown) => (typeof v === 'string' ? undefined : 'a string');

/** The JSONata Fail's error; a field that does not give a string fails the state with States.QueryEvaluationError instead. */
export async function jsonataFailError(scope: StateScope, state: FailState, input: unknown): Promise<StatesError> {
  const js = jsonataScope(scope, { input });
  const error = state.Error === undefined ? '' : ((await evaluateTyped(js, state.Error, 'Error', aString)) as string);
  const cause = state.Cause === undefined ? '' : ((await evaluateTyped(js, state.Cause, 'Cause', aString)) as string);
  return new StatesError(error, cause);
}
