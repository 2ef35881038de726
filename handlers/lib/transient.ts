// Failures of S3 and DynamoDB that the next attempt may well not see (throttling, 5xx, timeouts,
// dropped connections) become TransientError, the one name the ASL retries with back-off. The SDK
// has already retried them itself by then; what escapes would otherwise fail the whole job under
// names (SlowDown, ThrottlingException, ECONNRESET...) no Retry block lists.
import { TransientError } from './errors';

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'TimeoutError',
  'RequestTimeout',
]);

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

function looksTransient(err: SdkErrorShape): boolean {
  if (err.$retryable) return true;
  const status = err.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  if (typeof err.name === 'string' && TRANSIENT_NAMES.has(err.name)) return true;
  return typeof err.code === 'string' && TRANSIENT_CODES.has(err.code);
}

/** True for throttling, 5xx, timeouts and network errors (also when wrapped once as `cause`); never for 4xx answers. */
export function isTransient(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if (err instanceof TransientError) return true;
  const e = err as SdkErrorShape;
  if (looksTransient(e)) return true;
  return typeof e.cause === 'object' && e.cause !== null && looksTransient(e.cause as SdkErrorShape);
}

/** `err` as a TransientError naming the operation (e.g. `GetObject jobs/a/work/x.json`), or `err` itself. */
export function asTransient(err: unknown, operation: string): unknown {
  if (err instanceof TransientError || !isTransient(err)) return err;
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  const what = [e.name, e.code].filter((x) => typeof x === 'string' && x !== 'Error').join(' ') || 'error';
  const message = typeof e.message === 'string' && e.message ? `: ${e.message}` : '';
  return new TransientError(`${operation} failed with ${what}${message}`, undefined, { cause: err });
}

/** Runs `fn`, rethrowing transient failures as TransientError naming `operation`. */
export async function withTransient<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asTransient(err, operation);
  }
}
