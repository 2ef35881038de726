// Runs states: the loop through one branch, and one state with its Entered/Exited events, payload checks,
// Retry and Catch. Each state runs in its query language (query-language.ts): its own, else the machine's.
// Variables a state assigns are stored when it exits, and its Exited event lists them (`assignedVariables`).
import { catcherOutcome, findCatcherIndex } from './catch';
import { languageOf } from './query-language';
import { abortError, StatesError, toStatesError } from './errors';
import { toJson } from './json-text';
import { checkPayloadSize } from './quotas';
import { retryCounter } from './retry';
import { record, recordedNext, type StateScope, type Thread } from './run-context';
import { runChoice, runJsonataChoice } from './states/choice-state';
import { failError, jsonataFailError } from './states/fail';
import { runJsonataMap, runMap } from './states/map';
import { runJsonataParallel, runParallel } from './states/parallel';
import { runJsonataPass, runPass } from './states/pass';
import type { Outcome, StateResult } from './states/state-result';
import { envOf } from './eval-env';
import { runJsonataSucceed, runSucceed } from './states/succeed';
import { runJsonataTask, runTask } from './states/task';
import { runJsonataWait, runWait } from './states/wait';
import { scaledMs, sleep, yieldToEventLoop } from './timers';
import type { BranchDefinition, RetryableState, StateDefinition, StateType } from './types';
import { commitAssignment } from './variables';

const SYNC_STATES_BEFORE_YIELD = 512;

/** Runs `branch` from StartAt to its end; resolves with the last state's output. */
export async function runBranch(thread: Thread, branch: BranchDefinition, input: unknown): Promise<unknown> {
  let name = branch.StartAt;
  let data = input;
  let syncRun = 0;
  for (;;) {
    if (thread.signal.aborted) throw abortError(thread.signal);
    const pending = runState(thread, name, stateNamed(branch, name), data);
    // JSONPath Pass and Choice finish synchronously: no promise, no microtask per transition, but a yield now and then.
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
  const scope: StateScope = { thread, name, enteredTime, enteredEventId: enteredId, retryCount: 0 };
  if (languageOf(state, thread.run.queryLanguage) === 'JSONata') return runJsonataState(scope, state, input);
  switch (state.Type) {
    case 'Pass':
      return exit(scope, state.Type, runPass(scope, state, input));
    case 'Choice':
      return exit(scope, state.Type, runChoice(scope, state, input));
    case 'Succeed':
      return exit(scope, state.Type, runSucceed(state, input, envOf(thread)));
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

async function runJsonataState(scope: StateScope, state: StateDefinition, input: unknown): Promise<StateResult> {
  switch (state.Type) {
    case 'Pass':
      return exit(scope, state.Type, await runJsonataPass(scope, state, input));
    case 'Choice':
      return exit(scope, state.Type, await runJsonataChoice(scope, state, input));
    case 'Succeed':
      return exit(scope, state.Type, await runJsonataSucceed(scope, state, input));
    case 'Fail':
      throw await jsonataFailError(scope, state, input);
    case 'Wait':
      return exit(scope, state.Type, await runJsonataWait(scope, state, input));
    case 'Task':
      return withErrorHandling(scope, state, input, (attempt) => runJsonataTask(attempt, state, input));
    case 'Parallel':
      return withErrorHandling(scope, state, input, (attempt) => runJsonataParallel(attempt, state, input));
    case 'Map':
      return withErrorHandling(scope, state, input, (attempt) => runJsonataMap(attempt, state, input));
  }
}

/** The state's Exited event, after its output's size check; its variables are stored now, as the event lists them. */
function exit({ thread, name }: StateScope, type: StateType, result: StateResult): StateResult {
  const outputJson = toJson(result.output);
  checkPayloadSize(outputJson, 'output', name);
  const details: Record<string, unknown> = { name, output: outputJson, outputDetails: { truncated: false } };
  if (result.assign) {
    details.assignedVariables = commitAssignment(thread.vars, result.assign);
    details.assignedVariablesDetails = { truncated: false };
  }
  record(thread, `${type}StateExited`, details);
  return result;
}

/** Retry (per-retrier attempt counts, back-off scaled by the time scale), then Catch, as AWS orders them. */
async function withErrorHandling(
  scope: StateScope,
  state: RetryableState,
  input: unknown,
  body: (attempt: StateScope) => Promise<Outcome>,
): Promise<StateResult> {
  const { thread } = scope;
  const retries = retryCounter(state.Retry);
  for (let retryCount = 0; ; retryCount++) {
    let err;
    try {
      const { output, assign } = await body({ ...scope, retryCount });
      return exit(scope, state.Type, { output, next: state.Next, assign });
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
    const index = findCatcherIndex(state.Catch, err.error);
    if (index < 0) throw err;
    const catcher = state.Catch![index]!;
    const language = languageOf(state, scope.thread.run.queryLanguage);
    return exit(scope, state.Type, { ...(await catcherOutcome(scope, language, catcher, index, input, err)), next: catcher.Next });
  }
}

