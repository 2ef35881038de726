// The contract between `longhaul serve`'s HTTP front and the APIs behind it: an AWS JSON-protocol action
// takes the parsed request body and returns the response body, or throws an ApiError that the front
// writes as AWS does (`{"__type": …, "message": …}`), so the CLI prints `An error occurred (Type)`.

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    /** AWS's error code, e.g. `ExecutionDoesNotExist`, `ValidationException`, `InvalidToken`. */
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** One JSON-protocol service (Step Functions: `X-Amz-Target: AWSStepFunctions.<Action>`). */
export type JsonProtocolApi = (action: string, body: Record<string, unknown>) => Promise<unknown>;
