// Choice. JSONPath: InputPath → first matching rule (or Default) → OutputPath. JSONata: the first rule whose
// Condition is true, its Output (default: the input). The chosen rule's Assign applies, or the state's when the
// Default is taken; no match and no Default is States.NoChoiceMatched.
import { jsonataAssignment, jsonPathAssignment } from '../assign';
import { matchingRule } from '../choice';
import { StatesError } from '../errors';
import { envOf } from '../eval-env';
import { applyInputPath, applyOutputPath } from '../io-processing';
import { evaluateField, evaluateTyped, jsonataScope } from '../jsonata/evaluate';
import type { StateScope } from '../run-context';
import { stateContext } from '../state-context';
import type { ChoiceState } from '../types';
import type { StateResult } from './state-result';

// Most Choice states never read `$$`; building the context object for them would only cost time.
const readsContext = new WeakMap<ChoiceState, boolean>();
function usesContext(state: ChoiceState): boolean {
  let uses = readsContext.get(state);
  if (uses === undefined) readsContext.set(state, (uses = JSON.stringify(state.Choices).includes('"$$')));
  return uses;
}

function noMatch(scope: StateScope): StatesError {
  return new StatesError('States.NoChoiceMatched', `No Matches! (state '${scope.name}' has no Default)`);
}

export function runChoice(scope: StateScope, state: ChoiceState, rawInput: unknown): StateResult {
  const env = envOf(scope.thread);
  const effective = applyInputPath(rawInput, state.InputPath, env);
  const context = usesContext(state) ? stateContext(scope) : undefined;
  const rule = matchingRule(state, effective, context, env);
  const next = rule ? rule.Next : state.Default;
  if (next === undefined) throw noMatch(scope);
  const assign = jsonPathAssignment(scope, rule ? rule.Assign : state.Assign, effective);
  return { output: applyOutputPath(effective, state.OutputPath, env), next, assign };
}

const aBoolean = (v: unknown) => (typeof v === 'boolean' ? undefined : 'true or false');

export async function runJsonataChoice(scope: StateScope, state: ChoiceState, input: unknown): Promise<StateResult> {
  const js = jsonataScope(scope, { input });
  for (const [i, rule] of state.Choices.entries()) {
    if ((await evaluateTyped(js, rule.Condition, `Choices[${i}]/Condition`, aBoolean)) !== true) continue;
    const assign = await jsonataAssignment(js, rule.Assign, `Choices[${i}]/Assign`);
    const output = rule.Output === undefined ? input : await evaluateField(js, rule.Output, `Choices[${i}]/Output`);
    return { output, next: rule.Next, assign };
  }
  if (state.Default === undefined) throw noMatch(scope);
  const assign = await jsonataAssignment(js, state.Assign, 'Assign');
  const output = state.Output === undefined ? input : await evaluateField(js, state.Output, 'Output');
  return { output, next: state.Default, assign };
}
