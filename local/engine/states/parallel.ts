// Parallel: every branch gets the same input; the output is the array of branch outputs. The first branch
// to fail stops the others and fails the state with its error.
import { applyInputPath, applyOutputPath, applyResultPath } from '../io-processing';
import { applyPayloadTemplate } from '../payload-template';
import { childThread, record, type Thread } from '../run-context';
import { runBranch } from '../run-state';
import { contextFor } from '../state-context';
import { childController } from '../timers';
import type { StateDefinition } from '../types';
import { toStatesError } from './task';

export async function runParallel(thread: Thread, name: string, state: StateDefinition, rawInput: unknown, enteredTime: number, retryCount: number): Promise<unknown> {
  let effective = applyInputPath(rawInput, state.InputPath);
  if (state.Parameters !== undefined) {
    effective = applyPayloadTemplate(state.Parameters, effective, contextFor(state.Parameters, thread, name, enteredTime, retryCount), 'Parameters');
  }
  record(thread, 'ParallelStateStarted');
  const { controller, detach } = childController(thread.signal);
  let firstError: unknown;
  const branches = state.Branches!.map((branch) =>
    runBranch(childThread(thread, controller.signal), branch, effective).catch((err: unknown) => {
      if (firstError === undefined) {
        firstError = err;
        controller.abort(toStatesError(err));
      }
      return undefined;
    }),
  );
  const outputs = await Promise.all(branches);
  detach();
  if (firstError !== undefined) {
    if (!thread.signal.aborted) record(thread, 'ParallelStateFailed');
    throw firstError;
  }
  record(thread, 'ParallelStateSucceeded');
  let result: unknown = outputs;
  if (state.ResultSelector !== undefined) {
    result = applyPayloadTemplate(state.ResultSelector, result, contextFor(state.ResultSelector, thread, name, enteredTime, retryCount), 'ResultSelector');
  }
  return applyOutputPath(applyResultPath(rawInput, result, state.ResultPath), state.OutputPath);
}
