// Succeed: InputPath → OutputPath (JSONPath) or Output (JSONata), and this branch ends.
import type { EvalEnv } from '../eval-env';
import { applyInputPath, applyOutputPath } from '../io-processing';
import { evaluateField, jsonataScope } from '../jsonata/evaluate';
import type { StateScope } from '../run-context';
import type { SucceedState } from '../types';
import type { StateResult } from './state-result';

export function runSucceed(state: SucceedState, rawInput: unknown, env?: EvalEnv): StateResult {
  return { output: applyOutputPath(applyInputPath(rawInput, state.InputPath, env), state.OutputPath, env), next: undefined };
}

export async function runJsonataSucceed(scope: StateScope, state: SucceedState, input: unknown): Promise<StateResult> {
  return { output: state.Output === undefined ? input : await evaluateField(jsonataScope(scope, { input }), state.Output, 'Output'), next: undefined };
}
