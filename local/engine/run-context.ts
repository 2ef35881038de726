// What a running state can reach: the engine's services, its execution, and its own thread of states.
import type { LambdaInvoker } from '../lambda/types';
import type { AwsClients } from './aws-clients';
import type { ExecutionContextInfo, MapItemContext } from './context-object';
import type { EvalEnv } from './eval-env';
import type { History } from './history';
import { eventKey, type Replay } from './replay';
import type { MockConfig } from './mock-config';
import type { TaskTokens } from './task-tokens';
import type { Execution, QueryLanguage, StateMachineDefinition } from './types';
import { innerScope, type VariableScope } from './variables';

/** An in-process stand-in for a Lambda function: receives the payload, returns the result. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface StartOptions {
  name?: string;
  stateMachineName?: string;
  parentExecutionArn?: string;
  /** The state machine's role (`$$.Execution.RoleArn`, ExecutionStarted); default `role/<machine>-role`. */
  roleArn?: string;
  /** Step Functions Local's mock test case the execution runs under (`<stateMachineArn>#<TestCase>`). */
  testCase?: string;
  /** For a Distributed Map's item: its Map Run. */
  mapRunArn?: string;
  /** The parent waits for this execution (a Map Run item, a `.sync` child): after a crash it re-attaches it. */
  awaited?: boolean;
  /** The redrive round of the Map Run this item (re)starts in. */
  round?: number;
}

/** How a parent finds again an execution it started, when it replays (see replay.ts). */
export interface AttachOptions {
  /** Redrive it if it ended unsuccessfully in a round before `round` (a redriven Map Run's failed item). */
  redriveBefore?: number;
}

/** A Distributed Map's Map Run as it goes, like DescribeMapRun's itemCounts. */
export interface MapRunProgress {
  executionArn: string;
  stateName: string;
  mapRunArn: string;
  startDate?: Date;
  maxConcurrency?: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
  redriveCount?: number;
  /** Items (or batches) to run; 0 until the ItemReader has read them. */
  total: number;
  succeeded: number;
  failed: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
}

/** Engine-wide services shared by every execution. */
export interface EngineServices {
  lambda: LambdaInvoker;
  region: string;
  timeScale: number;
  taskHandlers: Record<string, TaskHandler>;
  env: Record<string, string>;
  maxHistoryEvents: number;
  aws: AwsClients;
  /** Callback tasks' tokens (`.waitForTaskToken`), answered by SendTaskSuccess/Failure/Heartbeat. */
  taskTokens: TaskTokens;
  /** Step Functions Local's mock configuration: an execution started with a test case uses its mocked responses. */
  mockConfig?: MockConfig;
  startExecution(definition: StateMachineDefinition, input: unknown, opts?: StartOptions): Execution;
  /**
   * The execution with this ARN, if it was started before: running (resumed from its journal if needed) or
   * closed (its recorded result). Undefined when it never started.
   */
  attachExecution(executionArn: string, opts?: AttachOptions): Execution | undefined;
  /** A registered state machine by ARN or name (for `states:startExecution`). */
  findStateMachine(arnOrName: string): { definition: StateMachineDefinition; name: string } | undefined;
  reportMapRun(progress: MapRunProgress): void;
}

/** One execution while it runs. */
export interface ExecutionRun {
  services: EngineServices;
  history: History;
  info: ExecutionContextInfo;
  /** Events carry their thread keys (the journal and replay need them; a plain in-memory run skips the cost). */
  keyed: boolean;
  /** Set when the execution continues a recorded history (resumed after a crash, or redriven). */
  replay?: Replay;
  /** The machine's QueryLanguage: the language of every state that does not name its own. */
  queryLanguage: QueryLanguage;
}

/**
 * A line of states run one after another: the execution itself, a Parallel branch or a Map iteration.
 * `lastEventId` chains previousEventId through the thread's events.
 */
export interface Thread {
  run: ExecutionRun;
  signal: AbortSignal;
  lastEventId: number;
  mapItem?: MapItemContext;
  /** The thread's identity in replay.ts terms: '' for the execution, `<parent>/<fork seq>.<index>` below. */
  key: string;
  /** How many events this thread has recorded. */
  seq: number;
  /** The workflow variables this line of states reads and assigns (see variables.ts). */
  vars: VariableScope;
  /** What its paths and expressions see besides the data (eval-env.ts envOf); made at first use. */
  env: EvalEnv | undefined;
}

/** One attempt at one state: the thread it runs on, and what its `$$.State` says. */
export interface StateScope {
  thread: Thread;
  name: string;
  /** Date.now() when the state was entered; made an ISO string only when `$$.State.EnteredTime` is read. */
  enteredTime: number;
  /** The id of the state's …StateEntered event, which AWS names in a JSONata error's cause. */
  enteredEventId?: number;
  retryCount: number;
  /** A callback task's (`.waitForTaskToken`) token: `$$.Task.Token`. */
  taskToken?: string;
}

/**
 * Records an event on `thread`'s chain and moves the chain forward. A replayed execution whose history
 * already holds this event at this place takes that one instead (same id, same timestamp).
 */
export function record(thread: Thread, type: string, details?: Record<string, unknown>): number {
  const { run } = thread;
  const seq = ++thread.seq;
  if (!run.keyed) return (thread.lastEventId = run.history.add(type, thread.lastEventId, details));
  const key = eventKey(thread.key, seq);
  const recorded = run.replay?.take(key, type);
  if (recorded) return (thread.lastEventId = recorded.id);
  return (thread.lastEventId = run.history.add(type, thread.lastEventId, details, key));
}

/** The event this thread recorded next in its earlier life, if it is being replayed and got that far. */
export function recordedNext(thread: Thread): import('./types').HistoryEvent | undefined {
  return thread.run.replay?.peek(eventKey(thread.key, thread.seq + 1));
}

/** The recorded outcome of the task this thread is running, when replay finds one: the task is not run again. */
export function recordedOutcome(thread: Thread): import('./types').HistoryEvent | undefined {
  return thread.run.replay?.outcome(eventKey(thread.key, thread.seq + 1));
}

/**
 * A Parallel branch or Map iteration forked from `parent` right after it recorded its …Started event
 * (`forkSeq`): the key makes the branch findable again on replay, whatever order branches ran in. It gets its own
 * variable scope inside its parent's; the caller closes it (closeScope) when the branch ends.
 */
export function childThread(parent: Thread, signal: AbortSignal, forkSeq: number, index: number, mapItem?: MapItemContext): Thread {
  return { run: parent.run, signal, lastEventId: parent.lastEventId, mapItem, key: `${parent.key}/${forkSeq}.${index}`, seq: 0, vars: innerScope(parent.vars), env: undefined };
}
