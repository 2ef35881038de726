// Step Functions errors: the (Error, Cause) pair that Retry/Catch match and executions fail with, and the
// conversions that turn anything thrown or any abort into one.

/** The error of a scope aborted for no StatesError reason; the engine's own name, not one AWS uses. */
export const ABORTED = 'Longhaul.Aborted';

export class StatesError extends Error {
  override name = 'StatesError';
  constructor(
    /** e.g. `States.Runtime`, `States.TaskFailed`, or a Lambda errorType such as `InvalidInput`. */
    readonly error: string,
    /** Human-readable cause; for Lambda errors AWS puts the JSON of the Lambda error here. */
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/** What Retry/Catch see for anything thrown: a StatesError as is, any other error as States.Runtime. */
export function toStatesError(err: unknown): StatesError {
  if (err instanceof StatesError) return err;
  return new StatesError('States.Runtime', err instanceof Error ? err.message : String(err));
}

/** The reason a scope was aborted: a StatesError (stop, timeout, sibling failure) or a generic abort. */
export function abortError(signal: AbortSignal): StatesError {
  const reason: unknown = signal.reason;
  return reason instanceof StatesError ? reason : new StatesError(ABORTED, 'The execution was aborted.');
}
