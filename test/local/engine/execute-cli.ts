// `longhaul execute` as tests drive it: no catalog functions, output captured, no Ctrl-C.
import { expect } from 'chai';
import { UsageError } from '../../../local/cli/command';
import { createExecuteCommand } from '../../../local/cli/execute';

/** The command, writing its stdout and stderr lines into `out` and `err`. */
export function testExecuteCommand(out: string[], err: string[]) {
  return createExecuteCommand({
    functions: () => [],
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    interrupted: () => ({ promise: new Promise(() => {}), dispose: () => {} }),
  });
}

/** The UsageError running `argv` throws; fails the test when it throws none. */
export async function usageErrorOf(command: ReturnType<typeof testExecuteCommand>, argv: string[]): Promise<UsageError> {
  try {
    await command.run(argv);
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('expected a UsageError');
}
