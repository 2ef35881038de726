// Test helpers: an engine with in-process task handlers and a Lambda invoker that must not be reached.
import type { LambdaInvoker } from '../../../local/lambda/types';
import { createEngine, DefinitionError, loadDefinition, type Engine, type EngineOptions, type ExecutionResult, type HistoryEvent } from '../../../local/engine';

export const noLambda: LambdaInvoker = {
  async invoke(name) {
    throw new Error(`test tried to invoke real Lambda function "${name}"`);
  },
};

/** Named in-process functions the conformance cases call. `calls` counts invocations per key. */
export function testHandlers(calls = new Map<string, number>()): NonNullable<EngineOptions['taskHandlers']> {
  const fail = (errorType: string, message: string): never => {
    const e = new Error(message);
    e.name = errorType;
    throw e;
  };
  return {
    Echo: async (input) => input,
    Hello: async (input) => `Hello, ${(input as { who: string }).who}!`,
    Double: async (input) => (input as number) * 2,
    Fail: async (input) => {
      const { errorType, message } = input as { errorType: string; message?: string };
      return fail(errorType, message ?? 'failed on purpose');
    },
    /** Fails `times` times per `key` with `errorType`, then returns `{ key, attempts }`. */
    Flaky: async (input) => {
      const { key, times, errorType } = input as { key: string; times: number; errorType: string };
      const n = (calls.get(key) ?? 0) + 1;
      calls.set(key, n);
      if (n <= times) fail(errorType, `attempt ${n} fails`);
      return { key, attempts: n };
    },
    Hang: () => new Promise(() => {}),
    Big: async (input) => 'x'.repeat((input as { bytes: number }).bytes),
  };
}

export function testEngine(opts: Partial<EngineOptions> = {}): Engine {
  return createEngine({ lambda: noLambda, taskHandlers: testHandlers(), timeScale: 0.001, ...opts });
}

export interface RunOutcome extends ExecutionResult {
  history: HistoryEvent[];
}

export async function run(definition: object, input: unknown, opts: Partial<EngineOptions> = {}): Promise<RunOutcome> {
  const engine = testEngine(opts);
  const execution = engine.startExecution(loadDefinition(definition), input);
  const result = await execution.done;
  await engine.close();
  return { ...result, history: execution.history };
}

export function types(history: HistoryEvent[]): string[] {
  return history.map((e) => e.type);
}

/** The problems loading `definition` reports (it must fail with a DefinitionError). */
export function problemsOf(definition: string | object, opts: Parameters<typeof loadDefinition>[1] = {}): string[] {
  try {
    loadDefinition(definition, opts);
  } catch (err) {
    if (err instanceof DefinitionError) return err.problems;
    throw err;
  }
  throw new Error('expected a DefinitionError');
}
