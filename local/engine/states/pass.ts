// Pass. JSONPath: InputPath → Parameters → Result (or the input) → ResultPath → OutputPath; Assign reads the
// result. JSONata: Output (default: the input) and Assign.
import { jsonataAssignment, jsonPathAssignment } from '../assign';
import { envOf } from '../eval-env';
import { applyInputPath, applyOutputPath, applyParameters, applyResultPath } from '../io-processing';
import { evaluateField, jsonataScope } from '../jsonata/evaluate';
import type { StateScope } from '../run-context';
import type { PassState } from '../types';
import type { StateResult } from './state-result';

export function runPass(scope: StateScope, state: PassState, rawInput: unknown): StateResult {
  const env = state.InputPath === undefined && state.OutputPath === undefined ? undefined : envOf(scope.thread);
  const effective = applyParameters(scope, state, applyInputPath(rawInput, state.InputPath, env));
  const result = 'Result' in state ? state.Result : effective;
  const assign = jsonPathAssignment(scope, state.Assign, result);
  const output = applyOutputPath(applyResultPath(rawInput, result, state.ResultPath), state.OutputPath, env);
  return { output, next: state.Next, assign };
}

export async function runJsonataPass(scope: StateScope, state: PassState, input: unknown): Promise<StateResult> {
  const js = jsonataScope(scope, { input });
  const assign = await jsonataAssignment(js, state.Assign, 'Assign');
  const output = state.Output === undefined ? input : await evaluateField(js, state.Output, 'Output');
  return { output, next: state.Next, assign };
}
