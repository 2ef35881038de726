// Everything a local run needs, started together: S3 and DynamoDB servers, the Lambda runner with the
// catalog's functions, and the Step Functions engine wired to both. The CLI commands and the end-to-end
// tests use this one assembly so they run the pipelines the same way.
import { join } from 'node:path';
import type { FunctionSpec } from '../handlers/catalog-types';
import { catalog } from '../handlers/catalog';
import { createEngine, type Engine, type MockConfig } from './engine';
import type { CodeMode } from './lambda/function-code';
import { createLambdaRuntime, type LambdaRuntime } from './lambda/runtime';
import { emfFilePath } from './lambda/emf-lines';
import { resolveFunctionName } from './lambda/function-name';
import type { InvokeOutcome, LambdaInvoker, LogLine } from './lambda/types';
import { localPlaceholders } from './placeholders';
import { startLocalServices, type LocalServices } from './services';

export interface LocalStackOptions {
  dataDir?: string;
  /**
   * S3 and DynamoDB servers started already (a benchmark runs them in a process of their own, so they
   * take CPU only after the tasks, as in AWS where they run elsewhere); the stack stops them with itself.
   * `dataDir` is theirs then.
   */
  services?: LocalServices;
  functions?: readonly FunctionSpec[];
  /** Multiplies Lambda timeouts, Wait states and retry intervals (tests use < 1). */
  timeScale?: number;
  maxConcurrency?: number;
  onLog?: (line: LogLine) => void;
  /**
   * Journal every execution under `<dataDir>/sfn/executions` (serve): they survive a crash and stay listed.
   * Call `engine.resumeExecutions()` once the state machines are registered.
   */
  durable?: boolean;
  /** Stands between the engine and the runner (serve: deployed function names → catalog names). */
  engineInvoker?: (runner: LambdaInvoker) => LambdaInvoker;
  /** Step Functions Local's mock configuration (SFN_MOCK_CONFIG): executions started on `<arn>#<TestCase>` use it. */
  mockConfig?: MockConfig;
  /** What the Lambda workers run: the deployed bundles (default) or the TypeScript sources (`--from-source`). */
  code?: CodeMode;
}

export interface InvocationRecord {
  functionName: string;
  outcome: InvokeOutcome;
}

export interface LocalStack {
  services: LocalServices;
  lambda: LambdaRuntime;
  engine: Engine;
  /** Calls `listener` after every Lambda invocation the engine makes, failed ones included; returns unsubscribe. */
  observeInvocations(listener: (record: InvocationRecord) => void): () => void;
  /** Values for the `${...}` placeholders of asl/ files. */
  placeholders: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const functions = opts.functions ?? catalog;
  const services = opts.services ?? (await startLocalServices({ dataDir: opts.dataDir }));
  try {
    return assemble(opts, functions, services);
  } catch (err) {
    // A bad option (timeScale 0, a duplicated function) must not leave servers and the data-dir lock behind.
    await services.stop().catch(() => undefined);
    throw err;
  }
}

/** Runs every step even when an earlier one rejects; rejects with the first failure. */
async function runAll(steps: (() => Promise<void>)[]): Promise<void> {
  let first: { error: unknown } | undefined;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      first ??= { error };
    }
  }
  if (first) throw first.error;
}

function assemble(opts: LocalStackOptions, functions: readonly FunctionSpec[], services: LocalServices): LocalStack {
  const lambda = createLambdaRuntime({
    functions,
    env: services.env,
    region: services.region,
    timeScale: opts.timeScale,
    maxConcurrency: opts.maxConcurrency,
    onLog: opts.onLog,
    code: opts.code,
    // Handlers' metrics, kept beside the data they describe (local/operate/metrics-source.ts reads them).
    emfFile: emfFilePath(services.dataDir),
  });
  const listeners = new Set<(record: InvocationRecord) => void>();
  const target = opts.engineInvoker ? opts.engineInvoker(lambda) : lambda;
  const observed: LambdaInvoker = {
    async invoke(nameOrArn, payload, options) {
      const outcome = await target.invoke(nameOrArn, payload, options);
      if (listeners.size > 0) {
        const resolved = resolveFunctionName(nameOrArn, services.region);
        const record = { functionName: resolved.ok ? resolved.name : nameOrArn, outcome };
        for (const listener of listeners) listener(record);
      }
      return outcome;
    },
  };
  let engine: Engine;
  try {
    engine = createEngine({
      lambda: observed,
      env: services.env,
      region: services.region,
      timeScale: opts.timeScale,
      durableDir: opts.durable ? join(services.dataDir, 'sfn', 'executions') : undefined,
      mockConfig: opts.mockConfig,
    });
  } catch (err) {
    void lambda.close();
    throw err;
  }
  const placeholders = localPlaceholders({
    functions,
    region: services.region,
    bucket: services.bucket,
    table: services.table,
  });
  let stopping: Promise<void> | undefined;
  return {
    services,
    lambda,
    engine,
    placeholders,
    observeInvocations(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () =>
      (stopping ??= runAll([() => engine.close(), () => lambda.close(), () => services.stop()])),
  };
}
