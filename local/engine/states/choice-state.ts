// Choice: InputPath → first matching rule (or Default) → OutputPath; no match is States.NoChoiceMatched.
import { selectChoice } from '../choice';
import { StatesError } from '../errors';
import { applyInputPath, applyOutputPath } from '../io-processing';
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

export function runChoice(scope: StateScope, state: ChoiceState, rawInput: unknown): StateResult {
  const effective = applyInputPath(rawInput, state.InputPath);
  const context = usesContext(state) ? stateContext(scope) : undefined;
  const next = selectChoice(state, effective, context);
  if (next === undefined) {
    throw new StatesError('States.NoChoiceMatched', `No Matches! (state '${scope.name}' has no Default)`);
  }
  return { output: applyOutputPath(effective, state.OutputPath), next };
}
