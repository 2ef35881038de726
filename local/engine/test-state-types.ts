// TestState's request and response in the API's wire shapes (JSON text fields as strings): what `longhaul serve`
// receives as `AWSStepFunctions.TestState` and answers, and what `engine.testState` takes and returns.

export type InspectionLevel = 'INFO' | 'DEBUG' | 'TRACE';
export type TestExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';
export type MockResponseValidationMode = 'STRICT' | 'PRESENT' | 'NONE';

export interface TestStateMock {
  /** JSON text: the state's result, as the service (or the whole Map/Parallel) would return it. */
  result?: string;
  errorOutput?: { error?: string; cause?: string };
  fieldValidationMode?: MockResponseValidationMode;
}

export interface TestStateConfiguration {
  /** Retries already made by the retrier that matches the error: decides RETRIABLE or exhausted. */
  retrierRetryCount?: number;
  /** The state inside a mocked Map or Parallel that raised the mocked error. */
  errorCausedByState?: string;
  /** Failed iterations of a mocked Map, checked against its tolerated failure threshold. */
  mapIterationFailureCount?: number;
  /** JSON text: what the Map's ItemReader would have read. */
  mapItemReaderData?: string;
}

export interface TestStateRequest {
  /** JSON text of one state, or of a whole state machine when `stateName` picks the state. */
  definition: string;
  roleArn?: string;
  /** JSON text; `{}` when absent. */
  input?: string;
  inspectionLevel?: InspectionLevel;
  revealSecrets?: boolean;
  /** JSON text of an object: workflow variables visible to the state. */
  variables?: string;
  stateName?: string;
  mock?: TestStateMock;
  /** JSON text of a Context object (`$$`); only with a mock. */
  context?: string;
  stateConfiguration?: TestStateConfiguration;
}

export interface InspectionErrorDetails {
  catchIndex?: number;
  retryIndex?: number;
  retryBackoffIntervalSeconds?: number;
}

/** The data after each step, as JSON text; DEBUG and TRACE only. */
export interface InspectionData {
  input?: string;
  /** JSONata: the task's or branches' input after Arguments (JSONata states have no InputPath or Parameters steps). */
  afterArguments?: string;
  afterInputPath?: string;
  afterParameters?: string;
  result?: string;
  afterResultSelector?: string;
  afterResultPath?: string;
  afterItemsPath?: string;
  afterItemSelector?: string;
  afterItemBatcher?: string;
  maxConcurrency?: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
  variables?: string;
  errorDetails?: InspectionErrorDetails;
}

export interface TestStateResponse {
  output?: string;
  error?: string;
  cause?: string;
  inspectionData?: InspectionData;
  nextState?: string;
  status: TestExecutionStatus;
}
