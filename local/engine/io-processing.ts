// A state's input/output pipeline: the path steps (InputPath, ResultPath, OutputPath), Parameters, and
// processResult, the tail every state with a result (Task, Parallel, Map) runs it through.
// Parameters and ResultSelector are payload templates: see payload-template.ts.
// In ASL an absent field means "$" (pass everything) while an explicit null means "nothing":
// {} for InputPath/OutputPath, and "discard the result, keep the input" for ResultPath.
// TestState shows the data between the steps (inspectionData): watchStages records them for one thread.
import { envOf, type EvalEnv } from './eval-env';
import { toJson } from './json-text';
import { readPath, writePath } from './json-path';
import { applyPayloadTemplate } from './payload-template';
import type { StateScope, Thread } from './run-context';
import { contextFor } from './state-context';
import type { PayloadTemplate, ResultProcessing } from './types';

/** The data after each step of a state's pipeline, as JSON text (TestState's inspectionData fields). */
export interface DataStages {
  /** JSONata: the task's or branches' input after Arguments. */
  afterArguments?: string;
  afterInputPath?: string;
  afterParameters?: string;
  result?: string;
  afterResultSelector?: string;
  afterResultPath?: string;
}

// Only TestState's threads are watched; every other step pays one integer test.
const watched = new WeakMap<Thread, DataStages>();
let watchers = 0;

/** Records into `stages` what applyParameters and processResult see on `thread`, until the returned stop is called. */
export function watchStages(thread: Thread, stages: DataStages): () => void {
  watched.set(thread, stages);
  watchers++;
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    watched.delete(thread);
    watchers--;
  };
}

function stagesOf(scope: StateScope): DataStages | undefined {
  return watchers === 0 ? undefined : watched.get(scope.thread);
}

/** Records a JSONata state's step for TestState (its JSONPath steps are recorded by the functions below). */
export function noteStage(scope: StateScope, stage: 'afterArguments' | 'result', value: unknown): void {
  const stages = stagesOf(scope);
  if (stages) stages[stage] = toJson(value);
}

/** `env` supplies the variables a `$name` path reads. */
export function applyInputPath(input: unknown, path: string | null | undefined, env?: EvalEnv): unknown {
  if (path === undefined || path === '$') return input;
  if (path === null) return {};
  return readPath(input, path, undefined, env);
}

export function applyResultPath(stateInput: unknown, result: unknown, path: string | null | undefined): unknown {
  if (path === undefined || path === '$') return result;
  if (path === null) return stateInput;
  return writePath(stateInput, path, result);
}

export function applyOutputPath(output: unknown, path: string | null | undefined, env?: EvalEnv): unknown {
  if (path === undefined || path === '$') return output;
  if (path === null) return {};
  return readPath(output, path, undefined, env);
}

/** The effective input (after InputPath) through the state's Parameters, if it has any. */
export function applyParameters(scope: StateScope, state: { Parameters?: PayloadTemplate }, effective: unknown): unknown {
  const stages = stagesOf(scope);
  if (stages) stages.afterInputPath = toJson(effective);
  if (state.Parameters === undefined) {
    if (stages) stages.afterParameters = stages.afterInputPath;
    return effective;
  }
  const parameters = applyPayloadTemplate(state.Parameters, effective, contextFor(state.Parameters, scope), 'Parameters', envOf(scope.thread));
  if (stages) stages.afterParameters = toJson(parameters);
  return parameters;
}

/** ResultSelector → ResultPath (into the raw state input) → OutputPath: a state's output from its result. */
export function processResult(scope: StateScope, state: ResultProcessing, rawInput: unknown, result: unknown): unknown {
  const stages = stagesOf(scope);
  if (stages) stages.result = toJson(result);
  const selected = state.ResultSelector === undefined
    ? result
    : applyPayloadTemplate(state.ResultSelector, result, contextFor(state.ResultSelector, scope), 'ResultSelector', envOf(scope.thread));
  if (stages) stages.afterResultSelector = state.ResultSelector === undefined ? stages.result : toJson(selected);
  const placed = applyResultPath(rawInput, selected, state.ResultPath);
  if (stages) stages.afterResultPath = toJson(placed);
  return applyOutputPath(placed, state.OutputPath, envOf(scope.thread));
}
