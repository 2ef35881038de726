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
  /** JSONPath: where the error output goes in the state input. */
  ResultPath?: string | null;
  /** Variables to set when this catcher handles the error (`$` / `$states.errorOutput` is the error output). */
  Assign?: JsonObject;
  /** JSONata: the state output when this catcher handles the error (default: the error output). */
  Output?: unknown;
}

/** A field a JSONata state may also give as a `{% … %}` expression, evaluated when the state runs. */
export type Evaluated<T> = T | string;

export interface ItemReaderDefinition {
  Resource: string;
  Parameters?: JsonObject;
  /** JSONata: the reader's arguments (an object, or an expression giving one). */
  Arguments?: unknown;
  ReaderConfig?: {
    InputType?: 'JSON' | 'CSV' | 'JSONL' | 'MANIFEST';
    CSVHeaderLocation?: 'FIRST_ROW' | 'GIVEN';
    CSVHeaders?: string[];
    CSVDelimiter?: 'COMMA' | 'PIPE' | 'SEMICOLON' | 'SPACE' | 'TAB';
    MaxItems?: Evaluated<number>;
    MaxItemsPath?: string;
  };
}

export interface ItemBatcherDefinition {
  MaxItemsPerBatch?: Evaluated<number>;
  MaxItemsPerBatchPath?: string;
  MaxInputBytesPerBatch?: Evaluated<number>;
  MaxInputBytesPerBatchPath?: string;
  BatchInput?: unknown;
}

export interface ResultWriterDefinition {
  Resource: string;
  Parameters?: JsonObject;
  /** JSONata: the writer's arguments (an object, or an expression giving one). */
  Arguments?: unknown;
}

// The pieces states share, as the Amazon States Language groups its fields.

export type QueryLanguage = 'JSONPath' | 'JSONata';

interface StateBase {
  Comment?: string;
  /** Overrides the machine's QueryLanguage for this state (not for the states inside a Map or Parallel). */
  QueryLanguage?: QueryLanguage;
  /** Workflow variables this state sets (every state but Succeed and Fail; the loader checks it). */
  Assign?: JsonObject;
  /** JSONata: the state output (every state but Fail); JSON, with `{% … %}` expressions anywhere. */
  Output?: unknown;
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
  /** JSONata: the task's input (default: the state input). */
  Arguments?: unknown;
  TimeoutSeconds?: Evaluated<number>;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: Evaluated<number>;
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
  Seconds?: Evaluated<number>;
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
  /** JSONata: every branch's input (default: the state input). */
  Arguments?: unknown;
}

export interface ItemProcessorDefinition extends BranchDefinition {
  ProcessorConfig?: { Mode?: 'INLINE' | 'DISTRIBUTED'; ExecutionType?: 'STANDARD' | 'EXPRESS' };
}

interface MapStateFields extends StateBase, Transition, ResultProcessing, ErrorHandling {
  Type: 'Map';
  ItemsPath?: string;
  /** JSONata: the items (an array, or an expression giving one; default: the state input). */
  Items?: unknown;
  ItemSelector?: PayloadTemplate;
  /** The name ItemSelector had before 2022; still accepted. */
  Parameters?: PayloadTemplate;
  MaxConcurrency?: Evaluated<number>;
  MaxConcurrencyPath?: string;
  ItemReader?: ItemReaderDefinition;
  ItemBatcher?: ItemBatcherDefinition;
  ResultWriter?: ResultWriterDefinition;
  ToleratedFailurePercentage?: Evaluated<number>;
  ToleratedFailurePercentagePath?: string;
  ToleratedFailureCount?: Evaluated<number>;
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
  /** Only on a Distributed Map child's definition: the parent machine's language, its states' default. */
  QueryLanguage?: QueryLanguage;
}

export interface StateMachineDefinition extends BranchDefinition {
  Comment?: string;
  TimeoutSeconds?: number;
  Version?: string;
  /** The language of every state that does not name its own (default JSONPath). */
  QueryLanguage?: QueryLanguage;
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
