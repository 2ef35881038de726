// Parallel: every branch gets the same input; the output is the array of branch outputs. The first branch
// to fail stops the others and fails the state with its error.
import { toStatesError } from '../errors';
import { applyInputPath, applyParameters, processResult } from '../io-processing';
import { childThread, record, type StateScope, type Thread } from '../run-context';
import { runBranch } from '../run-state';
import { childController } from '../timers';
import type { BranchDefinition, ParallelState } from '../types';

export async function runParallel(scope: StateScope, state: ParallelState, rawInput: unknown): Promise<unknown> {
  const effective = applyParameters(scope, state, applyInputPath(rawInput, state.InputPath));
  const outputs = await runBranches(scope.thread, state.Branches, effective);
  return processResult(scope, state, rawInput, outputs);
}

async function runBranches(thread: Thread, branches: BranchDefinition[], input: unknown): Promise<unknown[]> {
  record(thread, 'ParallelStateStarted');
  const forkSeq = thread.seq;
  const { controller, detach } = childController(thread.signal);
  let firstError: unknown;
  const outputs = await Promise.all(branches.map((branch, index) =>
    runBranch(childThread(thread, controller.signal, forkSeq, index), branch, input).catch((err: unknown) => {
      if (firstError === undefined) {
        firstError = err;
        controller.abort(toStatesError(err));
      }
      return undefined;
    }),
  ));
  detach();
  if (firstError !== undefined) {
    if (!thread.signal.aborted) record(thread, 'ParallelStateFailed');
    throw firstError;
  }
  record(thread, 'ParallelStateSucceeded');
  return outputs;
}
