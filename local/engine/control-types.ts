// What the engine tells about its executions and Map Runs, and what may be asked of them: the records
// behind the Step Functions API (DescribeExecution, ListExecutions, DescribeMapRun, …), in the engine's
// own types (Dates, JSON text), which `longhaul serve` turns into AWS's wire shapes.
import type { ExecutionStatus } from './types';

export type RedriveStatus = 'REDRIVABLE' | 'NOT_REDRIVABLE' | 'REDRIVABLE_BY_MAP_RUN';

/** One execution, running or closed, as DescribeExecution tells it. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** JSON text, as the API returns it. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** The JSON of the definition this execution runs (DescribeStateMachineForExecution). */
  definition: string;
  /** Set for a Distributed Map's child execution. */
  mapRunArn?: string;
  /** The execution that started this one (a Map Run's parent, or a startExecution task's). */
  parentExecutionArn?: string;
  /** The Step Functions Local test case this execution was started with (`<stateMachineArn>#<TestCase>`). */
  testCase?: string;
  redriveCount: number;
  redriveDate?: Date;
  redriveStatus: RedriveStatus;
  redriveStatusReason?: string;
}

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** DescribeMapRun's itemCounts / executionCounts. */
export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable: number;
  pendingRedrive: number;
}

export interface MapRunRecord {
  mapRunArn: string;
  executionArn: string;
  /** The Map state's name. */
  stateName: string;
  status: MapRunStatus;
  startDate: Date;
  stopDate?: Date;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  itemCounts: MapRunCounts;
  executionCounts: MapRunCounts;
  redriveCount: number;
  redriveDate?: Date;
}

export interface ExecutionFilter {
  stateMachineArn?: string;
  mapRunArn?: string;
  status?: ExecutionStatus;
  /** Only executions redriven at least once (ListExecutions' redriveFilter REDRIVEN) or never (NOT_REDRIVEN). */
  redriven?: boolean;
}

/**
 * The engine's executions seen from outside. Errors are StatesErrors named as the API names them
 * (`ExecutionDoesNotExist`, `ExecutionNotRedrivable`, `TaskDoesNotExist`, `InvalidToken`, `TaskTimedOut`,
 * `InvalidOutput`, …: no `StepFunctions.` prefix and no `Exception` suffix).
 */
export interface ExecutionControl {
  describeExecution(executionArn: string): ExecutionRecord | undefined;
  /** Newest first, as ListExecutions returns them. */
  listExecutions(filter: ExecutionFilter): ExecutionRecord[];
  /** The whole history, oldest first; undefined for an unknown execution. */
  getExecutionHistory(executionArn: string): Promise<import('./types').HistoryEvent[] | undefined>;
  /** Stops a running execution (ExecutionAborted); resolves with its record once it has settled. */
  stopExecution(executionArn: string, opts?: { error?: string; cause?: string }): Promise<ExecutionRecord>;
  /** Restarts a FAILED, TIMED_OUT or ABORTED execution from where it failed; returns the redrive date. */
  redriveExecution(executionArn: string): Promise<Date>;
  listMapRuns(executionArn: string): MapRunRecord[];
  describeMapRun(mapRunArn: string): MapRunRecord | undefined;
  sendTaskSuccess(taskToken: string, output: string): void;
  sendTaskFailure(taskToken: string, error?: string, cause?: string): void;
  sendTaskHeartbeat(taskToken: string): void;
}
