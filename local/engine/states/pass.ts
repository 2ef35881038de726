// Pass: InputPath → Parameters → Result (or the input) → ResultPath → OutputPath.
import { applyInputPath, applyOutputPath, applyParameters, applyResultPath } from '../io-processing';
import type { StateScope } from '../run-context';
import type { PassState } from '../types';
import type { StateResult } from './state-result';

export function runPass(scope: StateScope, state: PassState, rawInput: unknown): StateResult {
  const effective = applyParameters(scope, state, applyInputPath(rawInput, state.InputPath));
  const result = 'Result' in state ? state.Result : effective;
  const output = applyOutputPath(applyResultPath(rawInput, result, state.ResultPath), state.OutputPath);
  return { output, next: state.Next };
}
