// A state's input/output pipeline: the path steps (InputPath, ResultPath, OutputPath), Parameters, and
// processResult, the tail every state with a result (Task, Parallel, Map) runs it through.
// Parameters and ResultSelector are payload templates: see payload-template.ts.
// In ASL an absent field means "$" (pass everything) while an explicit null means "nothing":
// {} for InputPath/OutputPath, and "discard the result, keep the input" for ResultPath.
import { readPath, writePath } from './json-path';
import { applyPayloadTemplate } from './payload-template';
import type { StateScope } from './run-context';
import { contextFor } from './state-context';
import type { PayloadTemplate, ResultProcessing } from './types';

export function applyInputPath(input: unknown, path: string | null | undefined): unknown {
  if (path === undefined || path === '$') return input;
  if (path === null) return {};
  return readPath(input, path);
}

export function applyResultPath(stateInput: unknown, result: unknown, path: string | null | undefined): unknown {
  if (path === undefined || path === '$') return result;
  if (path === null) return stateInput;
  return writePath(stateInput, path, result);
}

export function applyOutputPath(output: unknown, path: string | null | undefined): unknown {
  if (path === undefined || path === '$') return output;
  if (path === null) return {};
  return readPath(output, path);
}

/** The effective input (after InputPath) through the state's Parameters, if it has any. */
export function applyParameters(scope: StateScope, state: { Parameters?: PayloadTemplate }, effective: unknown): unknown {
  if (state.Parameters === undefined) return effective;
  return applyPayloadTemplate(state.Parameters, effective, contextFor(state.Parameters, scope), 'Parameters');
}

/** ResultSelector → ResultPath (into the raw state input) → OutputPath: a state's output from its result. */
export function processResult(scope: StateScope, state: ResultProcessing, rawInput: unknown, result: unknown): unknown {
  const selected = state.ResultSelector === undefined
    ? result
    : applyPayloadTemplate(state.ResultSelector, result, contextFor(state.ResultSelector, scope), 'ResultSelector');
  return applyOutputPath(applyResultPath(rawInput, selected, state.ResultPath), state.OutputPath);
}
