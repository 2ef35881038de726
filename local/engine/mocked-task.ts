// Mocked Task states, as Step Functions Local runs them: in an execution started with a test case, a
// Task state the test case names does not call its resource; invocation n of that state (counted from 0 per
// state and execution, retries included) returns or throws what the mocked response says for n.
import { StatesError } from './errors';
import { findTestCase, mockedInvocation, type TestCase } from './mock-config';
import type { ExecutionRun, StateScope } from './run-context';

/** What one Task attempt does instead of calling its resource. */
export interface MockedCall {
  /** The mocked response's name, as the test case gives it. */
  responseName: string;
  /** Takes this attempt's invocation number; resolves with the Return, or throws the Throw as a StatesError. */
  invoke(): Promise<unknown>;
}

interface MockedRun {
  testCase: TestCase;
  invocations: Map<string, number>;
}

const runs = new WeakMap<ExecutionRun, MockedRun | null>();

function mockedRun(run: ExecutionRun): MockedRun | null {
  let mocked = runs.get(run);
  if (mocked === undefined) {
    const { mockConfig } = run.services;
    const { testCase } = run.info;
    // The test case was checked when the execution started; this only finds it again.
    mocked = mockConfig && testCase !== undefined
      ? { testCase: findTestCase(mockConfig, run.info.stateMachineName, testCase), invocations: new Map() }
      : null;
    runs.set(run, mocked);
  }
  return mocked;
}

/** The mocked call for the Task state of `scope`, or undefined when its execution's test case leaves it real. */
export function mockedCall(scope: StateScope): MockedCall | undefined {
  const { run } = scope.thread;
  const mocked = mockedRun(run);
  const responseName = mocked?.testCase.get(scope.name);
  if (!mocked || responseName === undefined) return undefined;
  return {
    responseName,
    async invoke() {
      const invocation = mocked.invocations.get(scope.name) ?? 0;
      mocked.invocations.set(scope.name, invocation + 1);
      const response = mockedInvocation(run.services.mockConfig!, responseName, invocation);
      if (!response) {
        throw new StatesError(
          'States.Runtime',
          `State '${scope.name}' is mocked by '${responseName}', which has no response for invocation ${invocation} (invocations count from 0, retries included).`,
        );
      }
      if (response.kind === 'throw') throw new StatesError(response.error, response.cause);
      // Each invocation gets its own copy: later states must not change the configuration's value.
      return structuredClone(response.value);
    },
  };
}
