// Lambda's error objects, worded as AWS words them, so Retry/Catch and humans see the same thing locally.
import type { LambdaError } from './types';
import { MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES } from './payload-limits';

/**
 * Errors the Lambda service itself raises (the Invoke API call fails) rather than the function.
 * Callers that map outcomes to Step Functions errors may need to tell the two apart.
 */
export const LAMBDA_SERVICE_ERRORS: ReadonlySet<string> = new Set([
  'ResourceNotFoundException',
  'RequestEntityTooLargeException',
]);

export function functionNotFound(nameOrArn: string, arn: string, known: readonly string[]): LambdaError {
  return {
    errorType: 'ResourceNotFoundException',
    errorMessage: `Function not found: ${arn} (asked for "${nameOrArn}"). Known functions: ${known.join(', ') || '(none)'}`,
  };
}

export function requestTooLarge(bytes: number): LambdaError {
  return {
    errorType: 'RequestEntityTooLargeException',
    errorMessage: `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation (got ${bytes} bytes)`,
  };
}

export function responseTooLarge(): LambdaError {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
  };
}

/** AWS prints the configured timeout, not the time actually waited (which a time scale shrinks here). */
export function timedOut(requestId: string, timeoutSeconds: number): LambdaError {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

export function initTimedOut(requestId: string, seconds: number): LambdaError {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Init phase timed out after ${seconds.toFixed(2)} seconds`,
  };
}

const signalWords: Record<string, string> = {
  SIGKILL: 'killed',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGTERM: 'terminated',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
};

/** Lambda's runtime reports a dead process the way Go formats a process state ("exit status 3", "signal: killed"). */
export function runtimeExited(
  requestId: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  outOfMemory: boolean,
): LambdaError {
  const errorType = outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
  if (code === 0 && !signal) {
    return { errorType, errorMessage: `RequestId: ${requestId} Error: Runtime exited without providing a reason` };
  }
  const status = signal ? `signal: ${signalWords[signal] ?? signal}` : `exit status ${code}`;
  return { errorType, errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${status}` };
}

/**
 * The function's code cannot be built or placed (a syntax error, a missing module): what Lambda reports when
 * the handler's module does not load.
 */
export function codeNotLoadable(functionName: string, reason: string): LambdaError {
  return { errorType: 'Runtime.ImportModuleError', errorMessage: `Error: cannot load the code of ${functionName}: ${reason}` };
}

export function aborted(requestId: string): LambdaError {
  return { errorType: 'Aborted', errorMessage: `RequestId: ${requestId} Error: Invocation aborted by the caller` };
}

/** What the Node.js runtime returns for a value thrown by the handler. */
export function fromThrown(value: unknown): LambdaError {
  if (value instanceof Error) {
    return {
      errorType: value.name || 'Error',
      errorMessage: value.message,
      trace: (value.stack ?? '').split('\n').filter((l) => l.length > 0),
    };
  }
  return { errorType: typeof value, errorMessage: typeof value === 'string' ? value : safeJson(value) };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
