// A Step Functions error: the (Error, Cause) pair that Retry/Catch match and executions fail with.
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
