// What a running state can reach: the engine's services, its execution, and its own thread of states.
import type { LambdaInvoker } from '../lambda/types';
import type { AwsClients } from './aws-clients';
import type { ExecutionContextInfo, MapItemContext } from './context-object';
import type { History } from './history';
import type { Execution, StateMachineDefinition } from './types';

/** An in-process stand-in for a Lambda function: receives the payload, returns the result. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface StartOptions {
  name?: string;
  stateMachineName?: string;
  parentExecutionArn?: string;
}

/** A Distributed Map's Map Run as it goes, like DescribeMapRun's itemCounts. */
export interface MapRunProgress {
  executionArn: string;
  stateName: string;
  mapRunArn: string;
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
  startExecution(definition: StateMachineDefinition, input: unknown, opts?: StartOptions): Execution;
  /** A registered state machine by ARN or name (for `states:startExecution`). */
  findStateMachine(arnOrName: string): { definition: StateMachineDefinition; name: string } | undefined;
  reportMapRun(progress: MapRunProgress): void;
}

/** One execution while it runs. */
export interface ExecutionRun {
  services: EngineServices;
  history: History;
  info: ExecutionContextInfo;
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
}

/** One attempt at one state: the thread it runs on, and what its `$$.State` says. */
export interface StateScope {
  thread: Thread;
  name: string;
  /** Date.now() when the state was entered; made an ISO string only when `$$.State.EnteredTime` is read. */
  enteredTime: number;
  retryCount: number;
}

/** Records an event on `thread`'s chain and moves the chain forward. */
export function record(thread: Thread, type: string, details?: Record<string, unknown>): number {
  const id = thread.run.history.add(type, thread.lastEventId, details);
  thread.lastEventId = id;
  return id;
}

export function childThread(parent: Thread, signal: AbortSignal, mapItem?: MapItemContext): Thread {
  return { run: parent.run, signal, lastEventId: parent.lastEventId, mapItem };
}
