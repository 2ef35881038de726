// Runs states: the loop through one branch, and one state with its Entered/Exited events, payload checks,
// Retry and Catch.
import { catcherOutput, findCatcher } from './catch';
import { toJson } from './json-text';
import { checkPayloadSize } from './quotas';
import { findRetrier, retryDelaySeconds } from './retry';
import { record, type Thread } from './run-context';
import { runChoice } from './states/choice-state';
import { failError } from './states/fail';
import { runMap } from './states/map';
import { runParallel } from './states/parallel';
import { runPass } from './states/pass';
import type { StateResult } from './states/state-result';
import { runSucceed } from './states/succeed';
import { runTask, toStatesError } from './states/task';
import { runWait } from './states/wait';
import { abortError, scaledMs, sleep, yieldToEventLoop } from './timers';
import type { BranchDefinition, StateDefinition } from './types';

const SYNC_STATES_BEFORE_YIELD = 512;

/** Runs `branch` from StartAt to its end; resolves with the last state's output. */
export async function runBranch(thread: Thread, branch: BranchDefinition, input: unknown): Promise<unknown> {
  let name = branch.StartAt;
  let data = input;
  let syncRun = 0;
  for (;;) {
    if (thread.signal.aborted) throw abortError(thread.signal);
    const state = branch.States[name]!;
    const pending = runState(thread, name, state, data);
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

function runState(thread: Thread, name: string, state: StateDefinition, input: unknown): StateResult | Promise<StateResult> {
  const inputJson = toJson(input);
  record(thread, `${state.Type}StateEntered`, { name, input: inputJson, inputDetails: { truncated: false } });
  checkPayloadSize(inputJson, 'input', name);
  // A number, turned into an ISO string only when a state reads $$.State.EnteredTime.
  const enteredTime = Date.now();
  switch (state.Type) {
    case 'Pass':
      return exit(thread, name, state, runPass(thread, name, state, input, enteredTime));
    case 'Choice':
      return exit(thread, name, state, runChoice(thread, name, state, input, enteredTime));
    case 'Succeed':
      return exit(thread, name, state, runSucceed(state, input));
    case 'Fail':
      throw failError(thread, name, state, input, enteredTime);
    case 'Wait':
      return runWait(thread, name, state, input, thread.run.services.timeScale).then((r) => exit(thread, name, state, r));
    case 'Task':
      return withErrorHandling(thread, name, state, input, (retryCount) => runTask(thread, name, state, input, enteredTime, retryCount));
    case 'Parallel':
      return withErrorHandling(thread, name, state, input, (retryCount) => runParallel(thread, name, state, input, enteredTime, retryCount));
    case 'Map':
      return withErrorHandling(thread, name, state, input, (retryCount) => runMap(thread, name, state, input, enteredTime, retryCount));
  }
}

function exit(thread: Thread, name: string, state: StateDefinition, result: StateResult): StateResult {
  const outputJson = toJson(result.output);
  checkPayloadSize(outputJson, 'output', name);
  record(thread, `${state.Type}StateExited`, { name, output: outputJson, outputDetails: { truncated: false } });
  return result;
}

/** Retry (per-retrier attempt counts, back-off scaled by the time scale), then Catch, as AWS orders them. */
async function withErrorHandling(
  thread: Thread,
  name: string,
  state: StateDefinition,
  input: unknown,
  body: (retryCount: number) => Promise<unknown>,
): Promise<StateResult> {
  const attempts = state.Retry ? state.Retry.map(() => 0) : [];
  let retryCount = 0;
  for (;;) {
    let err;
    try {
      const output = await body(retryCount);
      const outputJson = toJson(output);
      checkPayloadSize(outputJson, 'output', name);
      record(thread, `${state.Type}StateExited`, { name, output: outputJson, outputDetails: { truncated: false } });
      return { output, next: state.Next };
    } catch (caught) {
      if (thread.signal.aborted) throw abortError(thread.signal);
      err = toStatesError(caught);
    }
    const retrierIndex = findRetrier(state.Retry, err.error);
    if (retrierIndex >= 0) {
      const delay = retryDelaySeconds(state.Retry![retrierIndex]!, attempts[retrierIndex]!);
      if (delay !== undefined) {
        attempts[retrierIndex]!++;
        retryCount++;
        await sleep(scaledMs(delay, thread.run.services.timeScale), thread.signal);
        continue;
      }
    }
    const catcher = findCatcher(state.Catch, err.error);
    if (!catcher) throw err;
    const output = catcherOutput(catcher, input, err);
    const outputJson = toJson(output);
    checkPayloadSize(outputJson, 'output', name);
    record(thread, `${state.Type}StateExited`, { name, output: outputJson, outputDetails: { truncated: false } });
    return { output, next: catcher.Next };
  }
}
