// The shapes the engine shares with its callers: ASL definitions, history events, execution results.

export type JsonObject = Record<string, unknown>;

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

export interface ItemReaderDefinition {
  Resource: string;
  Parameters?: JsonObject;
  ReaderConfig?: {
    InputType?: 'JSON' | 'CSV' | 'JSONL' | 'MANIFEST';
    CSVHeaderLocation?: 'FIRST_ROW' | 'GIVEN';
    CSVHeaders?: string[];
    CSVDelimiter?: 'COMMA' | 'PIPE' | 'SEMICOLON' | 'SPACE' | 'TAB';
    MaxItems?: number;
    MaxItemsPath?: string;
  };
}

export interface ItemBatcherDefinition {
  MaxItemsPerBatch?: number;
  MaxItemsPerBatchPath?: string;
  MaxInputBytesPerBatch?: number;
  MaxInputBytesPerBatchPath?: string;
  BatchInput?: JsonObject;
}

export interface ResultWriterDefinition {
  Resource: string;
  Parameters?: JsonObject;
}

/** One state, loosely typed: which fields apply depends on `Type`, which the loader has checked. */
export interface StateDefinition {
  Type: 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';
  Comment?: string;
  Next?: string;
  End?: boolean;
  InputPath?: string | null;
  OutputPath?: string | null;
  ResultPath?: string | null;
  Parameters?: unknown;
  ResultSelector?: unknown;
  Result?: unknown;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Choices?: unknown[];
  Default?: string;
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  Error?: string;
  ErrorPath?: string;
  Cause?: string;
  CausePath?: string;
  Branches?: BranchDefinition[];
  ItemsPath?: string;
  ItemSelector?: unknown;
  ItemProcessor?: BranchDefinition & { ProcessorConfig?: { Mode?: 'INLINE' | 'DISTRIBUTED'; ExecutionType?: 'STANDARD' | 'EXPRESS' } };
  Iterator?: BranchDefinition;
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  ItemReader?: ItemReaderDefinition;
  ItemBatcher?: ItemBatcherDefinition;
  ResultWriter?: ResultWriterDefinition;
  ToleratedFailurePercentage?: number;
  ToleratedFailurePercentagePath?: string;
  ToleratedFailureCount?: number;
  ToleratedFailureCountPath?: string;
  Label?: string;
}

export interface BranchDefinition {
  StartAt: string;
  States: Record<string, StateDefinition>;
}

export interface StateMachineDefinition extends BranchDefinition {
  Comment?: string;
  TimeoutSeconds?: number;
  Version?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionResult {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate: Date;
}

/**
 * One history event in the shape of GetExecutionHistory: `type` plus one `<typeCamel>EventDetails`
 * field (state entered/exited events use `stateEnteredEventDetails`/`stateExitedEventDetails` as AWS does).
 */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: `${string}EventDetails`]: Record<string, unknown> | undefined;
}

export type HistoryListener = (event: HistoryEvent) => void;

export interface Execution {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  status(): ExecutionStatus;
  /** Live: grows while the execution runs. */
  readonly history: HistoryEvent[];
  subscribe(listener: HistoryListener): () => void;
  done: Promise<ExecutionResult>;
  /** Aborts the execution (ExecutionAborted), killing running Lambda workers; resolves once it has settled. */
  stop(opts?: { error?: string; cause?: string }): Promise<void>;
}
