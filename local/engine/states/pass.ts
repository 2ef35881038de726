// Pass: InputPath → Parameters → Result (or the input) → ResultPath → OutputPath.
import { applyInputPath, applyOutputPath, applyResultPath } from '../io-processing';
import { applyPayloadTemplate } from '../payload-template';
import type { Thread } from '../run-context';
import { contextFor } from '../state-context';
import type { StateDefinition } from '../types';
import type { StateResult } from './state-result';

export function runPass(thread: Thread, name: string, state: StateDefinition, rawInput: unknown, enteredTime: number): StateResult {
  let effective = applyInputPath(rawInput, state.InputPath);
  if (state.Parameters !== undefined) {
    effective = applyPayloadTemplate(state.Parameters, effective, contextFor(state.Parameters, thread, name, enteredTime, 0), 'Parameters');
  }
  const result = 'Result' in state ? state.Result : effective;
  const output = applyOutputPath(applyResultPath(rawInput, result, state.ResultPath), state.OutputPath);
  return { output, next: state.Next };
}
