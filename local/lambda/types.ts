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
