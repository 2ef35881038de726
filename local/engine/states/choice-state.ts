// Choice: InputPath → first matching rule (or Default) → OutputPath; no match is States.NoChoiceMatched.
import { selectChoice } from '../choice';
import { StatesError } from '../errors';
import { applyInputPath, applyOutputPath } from '../io-processing';
import type { Thread } from '../run-context';
import { stateContext } from '../state-context';
import type { StateDefinition } from '../types';
import type { StateResult } from './state-result';

type ChoiceState = Parameters<typeof selectChoice>[0];

// Most Choice states never read `$$`; building the context object for them would only cost time.
const readsContext = new WeakMap<StateDefinition, boolean>();
function usesContext(state: StateDefinition): boolean {
  let uses = readsContext.get(state);
  if (uses === undefined) readsContext.set(state, (uses = JSON.stringify(state.Choices ?? []).includes('"$$')));
  return uses;
}

export function runChoice(thread: Thread, name: string, state: StateDefinition, rawInput: unknown, enteredTime: number): StateResult {
  const effective = applyInputPath(rawInput, state.InputPath);
  const context = usesContext(state) ? stateContext(thread, name, enteredTime, 0) : undefined;
  const next = selectChoice(state as unknown as ChoiceState, effective, context);
  if (next === undefined) {
    throw new StatesError('States.NoChoiceMatched', `No Matches! (state '${name}' has no Default)`);
  }
  return { output: applyOutputPath(effective, state.OutputPath), next };
}
