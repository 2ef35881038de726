// The engine: shared services (Lambda runner, AWS clients, time scale, quotas) and the executions it starts.
import type { LambdaInvoker } from '../lambda/types';
import { createAwsClients } from './aws-clients';
import { StatesError } from './errors';
import { randomUUID } from 'node:crypto';
import { DEFAULT_STATE_MACHINE_NAME, executionArn, startExecution, stateMachineArn } from './execution';
import { MAX_HISTORY_EVENTS } from './quotas';
import type { EngineServices, MapRunProgress, StartOptions, TaskHandler } from './run-context';
import type { Execution, StateMachineDefinition } from './types';

export interface EngineOptions {
  lambda: LambdaInvoker;
  /** Endpoints, credentials, region and bucket for the S3 and DynamoDB clients (e.g. LocalServices.env). */
  env?: Record<string, string>;
  region?: string;
  /** Multiplies Wait durations, retry intervals and TimeoutSeconds; 0.01 makes a 10 s wait take 100 ms. */
  timeScale?: number;
  /** In-process functions by name or ARN, used instead of the Lambda runner (benchmarks, unit tests). */
  taskHandlers?: Record<string, TaskHandler>;
  /** Defaults to AWS's 25,000. */
  maxHistoryEvents?: number;
}

export interface Engine {
  startExecution(definition: StateMachineDefinition, input: unknown, opts?: { name?: string; stateMachineName?: string }): Execution;
  /** Makes a machine reachable by `states:startExecution`; returns its ARN. */
  registerStateMachine(name: string, definition: StateMachineDefinition): string;
  /** Called for every execution started, Distributed Map children and startExecution tasks included. */
  onExecutionStarted(listener: (execution: Execution, parentExecutionArn?: string) => void): () => void;
  /** Called when a Distributed Map's Map Run starts, when each of its items finishes, and when it ends. */
  onMapRunProgress(listener: (progress: MapRunProgress) => void): () => void;
  /** Stops every running execution and releases the AWS clients. */
  close(): Promise<void>;
}

export function createEngine(opts: EngineOptions): Engine {
  const env = opts.env ?? {};
  const region = opts.region ?? env.AWS_REGION ?? 'us-east-1';
  const machines = new Map<string, { definition: StateMachineDefinition; name: string }>();
  const running = new Set<Execution>();
  const startedArns = new Set<string>();
  const listeners = new Set<(execution: Execution, parentExecutionArn?: string) => void>();
  const mapRunListeners = new Set<(progress: MapRunProgress) => void>();
  const aws = createAwsClients(env, region);

  const services: EngineServices = {
    lambda: opts.lambda,
    region,
    timeScale: opts.timeScale ?? 1,
    taskHandlers: opts.taskHandlers ?? {},
    env,
    maxHistoryEvents: opts.maxHistoryEvents ?? MAX_HISTORY_EVENTS,
    aws,
    startExecution: (definition, input, startOpts?: StartOptions) => {
      const name = startOpts?.name ?? randomUUID();
      const arn = executionArn(region, startOpts?.stateMachineName ?? DEFAULT_STATE_MACHINE_NAME, name);
      // As AWS: an execution name is unique per state machine (StartExecution → ExecutionAlreadyExists).
      if (startedArns.has(arn)) throw new StatesError('StepFunctions.ExecutionAlreadyExistsException', `Execution Already Exists: '${arn}'`);
      const execution = startExecution(services, definition, input, { ...startOpts, name });
      startedArns.add(arn);
      running.add(execution);
      void execution.done.then(() => running.delete(execution));
      for (const listener of listeners) safely(() => listener(execution, startOpts?.parentExecutionArn));
      return execution;
    },
    reportMapRun: (progress) => {
      for (const listener of mapRunListeners) safely(() => listener({ ...progress }));
    },
    findStateMachine: (arnOrName) => machines.get(arnOrName) ?? machines.get(arnOrName.slice(arnOrName.lastIndexOf(':') + 1)),
  };

  return {
    startExecution: (definition, input, startOpts) => services.startExecution(definition, input, startOpts),
    registerStateMachine(name, definition) {
      machines.set(name, { definition, name });
      return stateMachineArn(region, name || DEFAULT_STATE_MACHINE_NAME);
    },
    onExecutionStarted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onMapRunProgress(listener) {
      mapRunListeners.add(listener);
      return () => mapRunListeners.delete(listener);
    },
    async close() {
      await Promise.all([...running].map((e) => e.stop({ error: 'States.Aborted', cause: 'The engine was closed.' })));
      aws.destroy();
    },
  };
}

/** A broken listener must not break the execution it watches (nor make a started child look unstarted). */
function safely(call: () => void): void {
  try {
    call();
  } catch {
    // Ignored on purpose.
  }
}
