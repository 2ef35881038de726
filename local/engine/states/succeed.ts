// Succeed: InputPath → OutputPath, and this branch ends.
import { applyInputPath, applyOutputPath } from '../io-processing';
import type { SucceedState } from '../types';
import type { StateResult } from './state-result';

export function runSucceed(state: SucceedState, rawInput: unknown): StateResult {
  return { output: applyOutputPath(applyInputPath(rawInput, state.InputPath), state.OutputPath), next: undefined };
}
