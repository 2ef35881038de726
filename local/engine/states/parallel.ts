// Parallel: every branch gets the same input (JSONPath: InputPath → Parameters; JSONata: Arguments); the result is
// the array of branch outputs (JSONPath: → ResultSelector → ResultPath → OutputPath; JSONata: → Output). Assign
// reads the result. The first branch to fail stops the others and fails the state with its error. Each branch has
// its own variable scope, gone when it ends.
import { jsonataAssignment, jsonPathAssignment } from '../assign';
import { toStatesError } from '../errors';
import { envOf } from '../eval-env';
import { applyInputPath, applyParameters, processResult } from '../io-processing';
import { evaluateField, jsonataScope, withStates } from '../jsonata/evaluate';
import { childThread, record, type StateScope, type Thread } from '../run-context';
import { runBranch } from '../run-state';
import { childController } from '../timers';
import type { BranchDefinition, ParallelState } from '../types';
import { closeScope } from '../variables';
import type { Outcome } from './state-result';

export async function runParallel(scope: StateScope, state: ParallelState, rawInput: unknown): Promise<Outcome> {
  const effective = applyParameters(scope, state, applyInputPath(rawInput, state.InputPath, envOf(scope.thread)));
  const outputs = await runBranches(scope.thread, state.Branches, effective);
  const assign = jsonPathAssignment(scope, state.Assign, outputs);
  return { output: processResult(scope, state, rawInput, outputs), assign };
}

export async function runJsonataParallel(scope: StateScope, state: ParallelState, input: unknown): Promise<Outcome> {
  const js = jsonataScope(scope, { input });
  const args = state.Arguments === undefined ? input : await evaluateField(js, state.Arguments, 'Arguments');
  const result = await runBranches(scope.thread, state.Branches, args);
  const after = withStates(js, { input, result });
  const assign = await jsonataAssignment(after, state.Assign, 'Assign');
  return { output: state.Output === undefined ? result : await evaluateField(after, state.Output, 'Output'), assign };
}

async function runBranches(thread: Thread, branches: BranchDefinition[], input: unknown): Promise<unknown[]> {
  record(thread, 'ParallelStateStarted');
  const forkSeq = thread.seq;
  const { controller, detach } = childController(thread.signal, true);
  let firstError: unknown;
  const outputs = await Promise.all(branches.map((branch, index) => {
    const child = childThread(thread, controller.signal, forkSeq, index);
    return runBranch(child, branch, input).catch((err: unknown) => {
      if (firstError === undefined) {
        firstError = err;
        controller.abort(toStatesError(err));
      }
      return undefined;
    }).finally(() => closeScope(child.vars));
  }));
  detach();
  if (firstError !== undefined) {
    if (!thread.signal.aborted) record(thread, 'ParallelStateFailed');
    throw firstError;
  }
  record(thread, 'ParallelStateSucceeded');
  return outputs;
}
