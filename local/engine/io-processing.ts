// The path-based steps of a state's input/output pipeline (InputPath, ResultPath, OutputPath).
// Parameters and ResultSelector are payload templates: see payload-template.ts.
// In ASL an absent field means "$" (pass everything) while an explicit null means "nothing":
// {} for InputPath/OutputPath, and "discard the result, keep the input" for ResultPath.
import { readPath, writePath } from './json-path';

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
