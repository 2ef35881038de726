// Runs states: the loop through one branch, and one state with its Entered/Exited events, payload checks,
// Retry and Catch.
import { catcherOutput, findCatcher } from './catch';
import { abortError, StatesError, toStatesError } from './errors';
import { toJson } from './json-text';
import { checkPayloadSize } from './quotas';
import { retryCounter } from './retry';
import { record, recordedNext, type StateScope, type Thread } from './run-context';
import { runChoice } from './states/choice-state';
import { failError } from './states/fail';
import { runMap } from './states/map';
import { runParallel } from './states/parallel';
import { runPass } from './states/pass';
import type { StateResult } from './states/state-result';
import { runSucceed } from './states/succeed';
import { runTask } from './states/task';
import { runWait } from './states/wait';
import { scaledMs, sleep, yieldToEventLoop } from './timers';
import type { BranchDefinition, RetryableState, StateDefinition, StateType } from './types';

const SYNC_STATES_BEFORE_YIELD = 512;

/** Runs `branch` from StartAt to its end; resolves with the last state's output. */
export async function runBranch(thread: Thread, branch: BranchDefinition, input: unknown): Promise<unknown> {
  let name = branch.StartAt;
  let data = input;
  let syncRun = 0;
  for (;;) {
    if (thread.signal.aborted) throw abortError(thread.signal);
    const pending = runState(thread, name, stateNamed(branch, name), data);
    // Pass and Choice finish synchronously: no promise, no microtask per transition, but a yield now and then.
    let result: StateResult;
    if (pending instanceof Promise) {
      result = await pending;
      syncRun = 0;
    } else {
      result = pending;
      if (++syncRun >= SYNC_STATES_BEFORE_YIELD) {
        syncRun = 0;
        await yieldToEventLoop();
      }
    }
    if (result.next === undefined) return result.output;
    name = result.next;
    data = result.output;
  }
}

/** loadDefinition checks every StartAt, Next and Default, but a definition may reach the engine without it. */
function stateNamed(branch: BranchDefinition, name: string): StateDefinition {
  const state = Object.hasOwn(branch.States, name) ? branch.States[name] : undefined;
  if (!state) throw new StatesError('States.Runtime', `There is no state named '${name}' in this branch.`);
  return state;
}

function runState(thread: Thread, name: string, state: StateDefinition, input: unknown): StateResult | Promise<StateResult> {
  const inputJson = toJson(input);
  const enteredId = record(thread, `${state.Type}StateEntered`, { name, input: inputJson, inputDetails: { truncated: false } });
  checkPayloadSize(inputJson, 'input', name);
  // The recorded time, which a replayed state keeps (a Wait resumed after a crash waits only what is left).
  const enteredTime = thread.run.history.events[enteredId - 1]!.timestamp.getTime();
  const scope: StateScope = { thread, name, enteredTime, retryCount: 0 };
  switch (state.Type) {
    case 'Pass':
      return exit(scope, state.Type, runPass(scope, state, input));
    case 'Choice':
      return exit(scope, state.Type, runChoice(scope, state, input));
    case 'Succeed':
      return exit(scope, state.Type, runSucceed(state, input));
    case 'Fail':
      throw failError(scope, state, input);
    case 'Wait':
      return runWait(scope, state, input).then((r) => exit(scope, state.Type, r));
    case 'Task':
      return withErrorHandling(scope, state, input, (attempt) => runTask(attempt, state, input));
    case 'Parallel':
      return withErrorHandling(scope, state, input, (attempt) => runParallel(attempt, state, input));
    case 'Map':
      return withErrorHandling(scope, state, input, (attempt) => runMap(attempt, state, input));
  }
}

function exit({ thread, name }: StateScope, type: StateType, result: StateResult): StateResult {
  const outputJson = toJson(result.output);
  checkPayloadSize(outputJson, 'output', name);
  record(thread, `${type}StateExited`, { name, output: outputJson, outputDetails: { truncated: false } });
  return result;
}

/** Retry (per-retrier attempt counts, back-off scaled by the time scale), then Catch, as AWS orders them. */
async function withErrorHandling(
  scope: StateScope,
  state: RetryableState,
  input: unknown,
  body: (attempt: StateScope) => Promise<unknown>,
): Promise<StateResult> {
  const { thread } = scope;
  const retries = retryCounter(state.Retry);
  for (let retryCount = 0; ; retryCount++) {
    let err;
    try {
      const output = await body({ ...scope, retryCount });
      return exit(scope, state.Type, { output, next: state.Next });
    } catch (caught) {
      if (thread.signal.aborted) throw abortError(thread.signal);
      err = toStatesError(caught);
    }
    const delay = retries.nextDelay(err.error);
    if (delay !== undefined) {
      // A replayed retry whose next attempt is already recorded has waited its back-off once.
      if (!recordedNext(thread)) await sleep(scaledMs(delay, thread.run.services.timeScale), thread.signal);
      continue;
    }
    const catcher = findCatcher(state.Catch, err.error);
    if (!catcher) throw err;
    return exit(scope, state.Type, { output: catcherOutput(catcher, input, err), next: catcher.Next });
  }
}
