// The engine: shared services (Lambda runner, AWS clients, time scale, quotas), the executions it starts,
// and what may be asked about them afterwards (control). With `durableDir`, every execution's history is
// journaled as it happens, and `resumeExecutions()` continues those a crash left running.
import type { LambdaInvoker } from '../lambda/types';
import { createAwsClients } from './aws-clients';
import type { ExecutionControl } from './control-types';
import { StatesError } from './errors';
import { randomUUID } from 'node:crypto';
import { DEFAULT_STATE_MACHINE_NAME, executionArn, startExecution, stateMachineArn, type RunOptions } from './execution';
import { openJournal, type Journal, type JournalStart } from './execution-journal';
import { createExecutionRegistry, MAX_REDRIVES, REDRIVE_WINDOW_MS, stopDateOf, type ExecutionEntry } from './execution-registry';
import { toJson } from './json-text';
import { findTestCase, type MockConfig } from './mock-config';
import { MAX_HISTORY_EVENTS } from './quotas';
import { buildReplay } from './replay';
import type { AttachOptions, EngineServices, MapRunProgress, StartOptions, TaskHandler } from './run-context';
import { createTaskTokens } from './task-tokens';
import { testState } from './test-state';
import type { TestStateRequest, TestStateResponse } from './test-state-types';
import type { Execution, ExecutionResult, HistoryEvent, StateMachineDefinition } from './types';

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
  /** Journal executions here (see execution-journal.ts): they survive a crash and stay listed after a restart. */
  durableDir?: string;
  /** Step Functions Local's mock configuration (loadMockConfig): executions started with a `testCase` use it. */
  mockConfig?: MockConfig;
}

export interface Engine {
  startExecution(definition: StateMachineDefinition, input: unknown, opts?: { name?: string; stateMachineName?: string; testCase?: string; roleArn?: string }): Execution;
  /** Makes a machine reachable by `states:startExecution`; returns its ARN. */
  registerStateMachine(name: string, definition: StateMachineDefinition): string;
  /** A deleted machine: `states:startExecution` tasks no longer find it (running executions go on). */
  unregisterStateMachine(name: string): void;
  /** Called for every execution started, Distributed Map children and startExecution tasks included. */
  onExecutionStarted(listener: (execution: Execution, parentExecutionArn?: string) => void): () => void;
  /** Called when a Distributed Map's Map Run starts, when each of its items finishes, and when it ends. */
  onMapRunProgress(listener: (progress: MapRunProgress) => void): () => void;
  /** Executions and Map Runs, running or closed, for the Step Functions API. */
  control: ExecutionControl;
  /** The Step Functions Local mock config executions may run a test case of. */
  readonly mockConfig?: MockConfig;
  /**
   * Continues, from their journaled history, the executions a crash left running (call it once the state
   * machines their tasks may start are registered). Returns how many it resumed.
   */
  resumeExecutions(): number;
  /** The TestState API: runs one state once on an input (see test-state.ts); request errors are StatesErrors named as the API names them. */
  testState(request: TestStateRequest): Promise<TestStateResponse>;
  /** Stops every running execution and releases the AWS clients. */
  close(): Promise<void>;
}

const definitionTexts = new WeakMap<StateMachineDefinition, string>();
function definitionText(definition: StateMachineDefinition): string {
  let text = definitionTexts.get(definition);
  if (text === undefined) definitionTexts.set(definition, (text = JSON.stringify(definition)));
  return text;
}

export function createEngine(opts: EngineOptions): Engine {
  const env = opts.env ?? {};
  const region = opts.region ?? env.AWS_REGION ?? 'us-east-1';
  const machines = new Map<string, { definition: StateMachineDefinition; name: string }>();
  const running = new Set<Execution>();
  const listeners = new Set<(execution: Execution, parentExecutionArn?: string) => void>();
  const mapRunListeners = new Set<(progress: MapRunProgress) => void>();
  const aws = createAwsClients(env, region);
  const journal: Journal | undefined = opts.durableDir ? openJournal(opts.durableDir) : undefined;
  const registry = createExecutionRegistry(journal);
  const maxHistoryEvents = opts.maxHistoryEvents ?? MAX_HISTORY_EVENTS;
  // Set by close() on a journaled engine: what stops now is not recorded, so the next start resumes it.
  let detached = false;

  /** Runs an execution (new, resumed or redriven) and keeps its entry and journal up to date. */
  const launch = (definition: StateMachineDefinition, input: unknown, runOpts: RunOptions, existing?: ExecutionEntry): Execution => {
    const execution = startExecution(services, definition, input, { ...runOpts, keyed: journal !== undefined });
    const start: JournalStart = existing?.start ?? {
      executionArn: execution.executionArn,
      name: execution.name,
      stateMachineArn: execution.stateMachineArn,
      stateMachineName: runOpts.stateMachineName ?? DEFAULT_STATE_MACHINE_NAME,
      ...(runOpts.roleArn ? { roleArn: runOpts.roleArn } : {}),
      startDate: new Date().toISOString(),
      input: toJson(input),
      definition: definitionText(definition),
      ...(runOpts.parentExecutionArn ? { parentExecutionArn: runOpts.parentExecutionArn } : {}),
      ...(runOpts.mapRunArn ? { mapRunArn: runOpts.mapRunArn } : {}),
      ...(runOpts.testCase ? { testCase: runOpts.testCase } : {}),
      ...(runOpts.awaited ? { awaited: true } : {}),
      ...(runOpts.round ? { round: runOpts.round } : {}),
    };
    const entry = registry.started(start, execution);
    if (journal) {
      const writer = journal.eventWriter(execution.executionArn);
      execution.subscribe((event, key) => !detached && writer.write(key, event));
      void execution.done.then(() => writer.close());
    }
    running.add(execution);
    void execution.done.then((result) => {
      running.delete(execution);
      if (detached) return;
      registry.closed(entry, result, result.status === 'SUCCEEDED' ? toJson(result.output) : undefined, execution.history.length);
    });
    for (const listener of listeners) safely(() => listener(execution, start.parentExecutionArn));
    return execution;
  };

  const recordedHistory = (entry: ExecutionEntry): { events: HistoryEvent[]; keys: string[] } => {
    if (journal) return journal.readEvents(entry.start.executionArn);
    // Without a journal only a top-level execution's history is kept, without keys: nothing to replay.
    return { events: [], keys: [] };
  };

  const optionsOf = (entry: ExecutionEntry): RunOptions => ({
    name: entry.start.name,
    stateMachineName: entry.start.stateMachineName,
    parentExecutionArn: entry.start.parentExecutionArn,
    mapRunArn: entry.start.mapRunArn,
    testCase: entry.start.testCase,
    awaited: entry.start.awaited,
    roleArn: entry.start.roleArn,
    redriveCount: entry.redriveCount,
  });

  const resume = (entry: ExecutionEntry): Execution => {
    const recorded = recordedHistory(entry);
    return launch(JSON.parse(entry.start.definition) as StateMachineDefinition, JSON.parse(entry.start.input), {
      ...optionsOf(entry),
      continued: { recorded, replay: buildReplay(recorded.events, recorded.keys), startDate: new Date(entry.start.startDate), timeBase: entry.redriveDate },
    }, entry);
  };

  const redrive = (entry: ExecutionEntry, round?: number): Execution => {
    const recorded = journal ? recordedHistory(entry) : { events: entry.history ?? [], keys: [] };
    const date = new Date();
    registry.redriven(entry, date, round);
    // Without a journal's keys, nothing is found again: the execution runs from the start.
    const replay = buildReplay(recorded.events, recorded.keys, { redrive: true });
    return launch(JSON.parse(entry.start.definition) as StateMachineDefinition, JSON.parse(entry.start.input), {
      ...optionsOf(entry),
      continued: { recorded, replay, startDate: new Date(entry.start.startDate), redrive: { count: entry.redriveCount, date }, timeBase: date },
    }, entry);
  };

  const services: EngineServices = {
    lambda: opts.lambda,
    region,
    timeScale: opts.timeScale ?? 1,
    taskHandlers: opts.taskHandlers ?? {},
    env,
    maxHistoryEvents,
    aws,
    taskTokens: createTaskTokens(),
    mockConfig: opts.mockConfig,
    startExecution: (definition, input, startOpts?: StartOptions) => {
      const name = startOpts?.name ?? randomUUID();
      const arn = executionArn(region, startOpts?.stateMachineName ?? DEFAULT_STATE_MACHINE_NAME, name);
      // As AWS: an execution name is unique per state machine (StartExecution → ExecutionAlreadyExists).
      if (registry.get(arn)) throw new StatesError('StepFunctions.ExecutionAlreadyExistsException', `Execution Already Exists: '${arn}'`);
      if (startOpts?.testCase !== undefined) findTestCase(opts.mockConfig, startOpts.stateMachineName ?? DEFAULT_STATE_MACHINE_NAME, startOpts.testCase);
      return launch(definition, input, { ...startOpts, name });
    },
    attachExecution: (arn, attach?: AttachOptions) => {
      const entry = registry.get(arn);
      if (!entry) return undefined;
      if (entry.live) return entry.live;
      if (entry.status === 'RUNNING') return resume(entry);
      if (attach?.redriveBefore !== undefined && entry.status !== 'SUCCEEDED' && entry.round < attach.redriveBefore) {
        return redrive(entry, attach.redriveBefore);
      }
      return closedExecution(entry);
    },
    reportMapRun: (progress) => {
      if (progress.startDate) {
        registry.mapRun({
          mapRunArn: progress.mapRunArn,
          executionArn: progress.executionArn,
          stateName: progress.stateName,
          startDate: progress.startDate.toISOString(),
          ...(progress.status !== 'RUNNING' ? { stopDate: new Date().toISOString() } : {}),
          status: progress.status,
          total: progress.total,
          maxConcurrency: progress.maxConcurrency ?? 0,
          toleratedFailureCount: progress.toleratedFailureCount ?? 0,
          toleratedFailurePercentage: progress.toleratedFailurePercentage ?? 0,
          redriveCount: progress.redriveCount ?? 0,
        });
      }
      for (const listener of mapRunListeners) safely(() => listener({ ...progress }));
    },
    findStateMachine: (arnOrName) => machines.get(arnOrName) ?? machines.get(arnOrName.slice(arnOrName.lastIndexOf(':') + 1)),
  };

  const entryOf = (arn: string): ExecutionEntry => {
    const entry = registry.get(arn);
    if (!entry) throw new StatesError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return entry;
  };

  const control: ExecutionControl = {
    describeExecution: (arn) => {
      const entry = registry.get(arn);
      return entry && registry.describe(entry, maxHistoryEvents);
    },
    listExecutions: (filter) => registry.list(filter, maxHistoryEvents),
    async getExecutionHistory(arn) {
      const entry = registry.get(arn);
      if (!entry) return undefined;
      if (entry.live) return [...entry.live.history];
      if (entry.history) return [...entry.history];
      return journal ? journal.readEvents(arn).events : [];
    },
    async stopExecution(arn, stopOpts) {
      const entry = entryOf(arn);
      if (entry.live) await entry.live.stop(stopOpts);
      else if (entry.status === 'RUNNING') {
        // Journaled as running but not resumed (its parent never came back for it): closed here.
        const now = new Date();
        registry.closed(entry, { status: 'ABORTED', error: stopOpts?.error, cause: stopOpts?.cause, startDate: new Date(entry.start.startDate), stopDate: now }, undefined, entry.eventCount ?? 0);
      }
      return registry.describe(entry, maxHistoryEvents);
    },
    async redriveExecution(arn) {
      const entry = entryOf(arn);
      const notRedrivable = (reason: string) => new StatesError('ExecutionNotRedrivable', `Execution Not Redrivable: ${reason}: '${arn}'`);
      if (entry.status === 'RUNNING' || entry.status === 'SUCCEEDED') throw notRedrivable(`Execution is ${entry.status} and cannot be redriven`);
      if (entry.start.mapRunArn) throw notRedrivable('a Map Run\'s child execution is redriven by redriving its parent execution');
      if (entry.stopTime !== undefined && Date.now() - entry.stopTime > REDRIVE_WINDOW_MS) throw notRedrivable('Execution redrivable period exceeded');
      if (entry.redriveCount >= MAX_REDRIVES) throw new StatesError('ExecutionLimitExceeded', `Execution has been redriven ${MAX_REDRIVES} times, the most allowed: '${arn}'`);
      const events = journal ? journal.readEvents(arn).events.length : (entry.history?.length ?? 0);
      if (events >= maxHistoryEvents) throw notRedrivable('Execution history event limit exceeded');
      redrive(entry);
      return entry.redriveDate!;
    },
    listMapRuns: (arn) => registry.listMapRuns(arn),
    describeMapRun: (mapRunArn) => registry.describeMapRun(mapRunArn),
    sendTaskSuccess: (token, output) => services.taskTokens.sendTaskSuccess(token, output),
    sendTaskFailure: (token, error, cause) => services.taskTokens.sendTaskFailure(token, error, cause),
    sendTaskHeartbeat: (token) => services.taskTokens.sendTaskHeartbeat(token),
  };

  return {
    startExecution: (definition, input, startOpts) => services.startExecution(definition, input, startOpts),
    registerStateMachine(name, definition) {
      machines.set(name, { definition, name });
      return stateMachineArn(region, name || DEFAULT_STATE_MACHINE_NAME);
    },
    unregisterStateMachine(name) {
      machines.delete(name);
    },
    onExecutionStarted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onMapRunProgress(listener) {
      mapRunListeners.add(listener);
      return () => mapRunListeners.delete(listener);
    },
    control,
    mockConfig: opts.mockConfig,
    resumeExecutions() {
      const isRunning = (arn: string | undefined) => arn !== undefined && registry.get(arn)?.status === 'RUNNING';
      let resumed = 0;
      for (const entry of [...registry.all()]) {
        // An execution its parent waits for is re-attached by the parent's own replay.
        if (entry.status !== 'RUNNING' || entry.live || (entry.start.awaited && isRunning(entry.start.parentExecutionArn))) continue;
        resume(entry);
        resumed++;
      }
      return resumed;
    },
    testState: (request) => testState(services, request),
    async close() {
      if (journal) {
        journal.flush();
        detached = true;
      }
      await Promise.all([...running].map((e) => e.stop({ error: 'States.Aborted', cause: 'The engine was closed.' })));
      journal?.close();
      aws.destroy();
    },
  };
}

/** An execution that closed earlier, as its parent sees it when it replays. */
function closedExecution(entry: ExecutionEntry): Execution {
  const result: ExecutionResult = {
    status: entry.status === 'RUNNING' ? 'ABORTED' : entry.status,
    output: entry.output === undefined ? undefined : JSON.parse(entry.output),
    error: entry.error,
    cause: entry.cause,
    startDate: new Date(entry.start.startDate),
    stopDate: stopDateOf(entry) ?? new Date(),
  };
  return {
    executionArn: entry.start.executionArn,
    name: entry.start.name,
    stateMachineArn: entry.start.stateMachineArn,
    status: () => result.status,
    history: entry.history ?? [],
    subscribe: () => () => {},
    done: Promise.resolve(result),
    stop: async () => {},
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
