// Mocha helper: the whole local stack (services, Lambda runner, engine) for one test file, with
// process.env pointed at its services so handlers/lib works in the test process too.
import { applyEnv } from '../../local/process-env';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';

export function useLocalStack(opts: LocalStackOptions = { onLog: () => {} }): () => LocalStack {
  let stack: LocalStack | undefined;
  let restoreEnv: (() => void) | undefined;
  before(async function () {
    this.timeout(60_000);
    stack = await startLocalStack(opts);
    restoreEnv = applyEnv(stack.services.env);
  });
  after(async function () {
    this.timeout(60_000);
    restoreEnv?.();
    await stack?.stop();
    stack = undefined;
  });
  return () => {
    if (!stack) throw new Error('useLocalStack: the stack exists only inside tests (after before())');
    return stack;
  };
}
