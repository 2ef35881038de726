// Fail: the error it raises, from Error/Cause or their …Path forms (a reference path or an intrinsic).
import { StatesError } from '../errors';
import { evaluateIntrinsic } from '../intrinsics';
import { readPath } from '../json-path';
import type { StateScope } from '../run-context';
import { stateContext } from '../state-context';
import type { FailState } from '../types';

function dynamicString(scope: StateScope, expr: string, input: unknown, field: string): string {
  const value = expr.startsWith('States.')
    ? evaluateIntrinsic(expr, input, stateContext(scope))
    : readPath(input, expr, field);
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
