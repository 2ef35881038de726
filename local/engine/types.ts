// The shapes the engine shares with its callers: ASL definitions, history events, execution results.
import type { ChoiceRule } from './choice';

export type JsonObject = Record<string, unknown>;

/** A JSON value whose `.$` keys are filled in from the input, `$$` or intrinsics (see payload-template.ts). */
export type PayloadTemplate = unknown;

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

// The pieces states share, as the Amazon States Language groups its fields.

interface StateBase {
  Comment?: string;
  /** Only JSONPath runs locally; the loader rejects JSONata. */
  QueryLanguage?: 'JSONPath' | 'JSONata';
}

/** Where the branch goes next; the loader has checked that exactly one of the two is there. */
interface Transition {
  Next?: string;
  End?: boolean;
}

interface InputOutputPaths {
  InputPath?: string | null;
  OutputPath?: string | null;
}

/** How a state's result becomes its output: ResultSelector → ResultPath → OutputPath. */
export interface ResultProcessing extends InputOutputPaths {
  ResultSelector?: PayloadTemplate;
  ResultPath?: string | null;
}

export interface ErrorHandling {
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface PassState extends StateBase, Transition, InputOutputPaths {
  Type: 'Pass';
  Parameters?: PayloadTemplate;
  Result?: unknown;
  ResultPath?: string | null;
}

export interface TaskState extends StateBase, Transition, ResultProcessing, ErrorHandling {
  Type: 'Task';
  Resource: string;
  Parameters?: PayloadTemplate;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  HeartbeatSecondsPath?: string;
  /** Cross-account tasks; the loader rejects them. */
  Credentials?: JsonObject;
}

export interface ChoiceState extends StateBase, InputOutputPaths {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

/** One of Seconds, SecondsPath, Timestamp or TimestampPath. */
export interface WaitState extends StateBase, Transition, InputOutputPaths {
  Type: 'Wait';
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
}

export interface SucceedState extends StateBase, InputOutputPaths {
  Type: 'Succeed';
}

export interface FailState extends StateBase {
  Type: 'Fail';
  Error?: string;
  ErrorPath?: string;
  Cause?: string;
  CausePath?: string;
}

export interface ParallelState extends StateBase, Transition, ResultProcessing, ErrorHandling {
  Type: 'Parallel';
  Branches: BranchDefinition[];
  Parameters?: PayloadTemplate;
}

export interface ItemProcessorDefinition extends BranchDefinition {
  ProcessorConfig?: { Mode?: 'INLINE' | 'DISTRIBUTED'; ExecutionType?: 'STANDARD' | 'EXPRESS' };
}

interface MapStateFields extends StateBase, Transition, ResultProcessing, ErrorHandling {
  Type: 'Map';
  ItemsPath?: string;
  ItemSelector?: PayloadTemplate;
  /** The name ItemSelector had before 2022; still accepted. */
  Parameters?: PayloadTemplate;
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

export interface ItemProcessorMapState extends MapStateFields {
  ItemProcessor: ItemProcessorDefinition;
  Iterator?: never;
}

/** A Map written before ItemProcessor existed (2022): always inline. */
export interface IteratorMapState extends MapStateFields {
  Iterator: BranchDefinition;
  ItemProcessor?: never;
}

/** A Map has exactly one of ItemProcessor and Iterator (asl-validator checks it). */
export type MapState = ItemProcessorMapState | IteratorMapState;

/** One state; `Type` says which fields it may have. */
export type StateDefinition = PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

export type StateType = StateDefinition['Type'];

/** The states whose failures Retry and Catch handle. */
export type RetryableState = TaskState | ParallelState | MapState;

export interface BranchDefinition {
  StartAt: string;
  States: Record<string, StateDefinition>;
}

export interface StateMachineDefinition extends BranchDefinition {
  Comment?: string;
  TimeoutSeconds?: number;
  Version?: string;
  QueryLanguage?: 'JSONPath' | 'JSONata';
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

/** `key` is the event's place in its thread (see replay.ts); only the journal needs it. */
export type HistoryListener = (event: HistoryEvent, key: string) => void;

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
