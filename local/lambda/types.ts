// The contract between the Lambda runner and its callers (the engine, the CLI, tests).

/** Lambda's error shape, as the Invoke API returns it for a function error. */
export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvokeOutcome =
  | { ok: true; payload: unknown; requestId: string; durationMs: number }
  | { ok: false; error: LambdaError; requestId: string; durationMs: number };

export interface InvokeOptions {
  /** Aborting kills the worker running this invocation (and its process group) and yields an error outcome. */
  signal?: AbortSignal;
}

/** What the engine needs from the runner: invoke a function by catalog name or local ARN. */
export interface LambdaInvoker {
  invoke(nameOrArn: string, payload: unknown, options?: InvokeOptions): Promise<InvokeOutcome>;
}

/** The context object a handler receives, as Lambda's Node.js runtime builds it. */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  /** A string, as on AWS. */
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  /** Milliseconds until the (scaled) timeout kills the invocation. */
  getRemainingTimeInMillis(): number;
}

/** One line a worker printed, attributed to the invocation it belongs to. `runtime` lines come from the runner itself. */
export interface LogLine {
  functionName: string;
  requestId: string;
  stream: 'stdout' | 'stderr' | 'runtime';
  text: string;
}
