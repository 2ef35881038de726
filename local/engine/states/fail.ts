// Fail: the error it raises, from Error/Cause or their …Path forms (a reference path or an intrinsic).
import { StatesError } from '../errors';
import { evaluateIntrinsic } from '../intrinsics';
import { readPath } from '../json-path';
import type { Thread } from '../run-context';
import { stateContext } from '../state-context';
import type { StateDefinition } from '../types';

function dynamicString(thread: Thread, name: string, enteredTime: number, expr: string, input: unknown, field: string): string {
  const value = expr.startsWith('States.')
    ? evaluateIntrinsic(expr, input, stateContext(thread, name, enteredTime, 0))
    : readPath(input, expr, field);
  if (typeof value !== 'string') {
    throw new StatesError('States.Runtime', `The value of ${field} in state '${name}' must be a string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function failError(thread: Thread, name: string, state: StateDefinition, rawInput: unknown, enteredTime: number): StatesError {
  const error = state.ErrorPath !== undefined
    ? dynamicString(thread, name, enteredTime, state.ErrorPath, rawInput, 'ErrorPath')
    : (state.Error ?? '');
  const cause = state.CausePath !== undefined
    ? dynamicString(thread, name, enteredTime, state.CausePath, rawInput, 'CausePath')
    : (state.Cause ?? '');
  return new StatesError(error, cause);
}
