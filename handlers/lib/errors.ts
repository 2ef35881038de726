// Errors a handler throws on purpose. Their `name` becomes Lambda's errorType, which the ASL
// Retry/Catch blocks match, so the names are part of the contract and must never change.
//
// ERRORS is the one table of them, with how each must be retried. A test reads every Retry and Catch
// of every asl/ file against it: a `transient` error must be retried, the others must not be (a retry
// gets the same input and fails the same way, later), and every failure must reach RecordFailure.

/**
 * - `never`: the job's input or settings are wrong; retrying cannot help, a person must act.
 * - `transient`: the next attempt may well succeed (throttling, 5xx, a dropped connection).
 * - `bug`: longhaul broke one of its own invariants; retrying would hide it.
 */
export type RetryClass = 'never' | 'transient' | 'bug';

export const ERRORS = {
  InvalidInput: { retry: 'never', meaning: 'the event, the job settings or an input file is wrong' },
  InputNotFound: { retry: 'never', meaning: 'an object the job needs does not exist' },
  JobMismatch: { retry: 'never', meaning: 'the jobId was used before with other settings or another input object' },
  TransientError: { retry: 'transient', meaning: 'a failure the next attempt may not see (throttling, 5xx, network)' },
  ChunkOverBudget: { retry: 'never', meaning: "a video chunk did not encode within its function's timeout: the plan must change" },
  VerificationFailed: { retry: 'never', meaning: 'the merged video does not match its source' },
  InternalError: { retry: 'bug', meaning: 'an invariant of longhaul itself broke (a bug, not bad input)' },
} as const satisfies Record<string, { retry: RetryClass; meaning: string }>;

export type ErrorName = keyof typeof ERRORS;

/** Where the problem is: the S3 key, the event field, the CSV row... whatever lets a person find it. */
export interface ErrorDetails {
  key?: string;
  field?: string;
  row?: number;
  [k: string]: unknown;
}

// Lambda only reports errorType and errorMessage, so the location has to be in the message itself.
function withLocation(message: string, details: ErrorDetails | undefined): string {
  if (!details) return message;
  const parts: string[] = [];
  for (const name of ['key', 'field', 'row'] as const) {
    const value = details[name];
    if (value === undefined) continue;
    const text = String(value);
    if (!message.includes(text)) parts.push(`${name} ${name === 'row' ? text : JSON.stringify(text)}`);
  }
  return parts.length ? `${message} (${parts.join(', ')})` : message;
}

/** Base of every named error: a message that says where, and the details for logs. */
export abstract class NamedError extends Error {
  abstract override readonly name: ErrorName;
  readonly details: ErrorDetails;
  constructor(message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(withLocation(message, details), options);
    this.details = details ?? {};
  }
}

/** The event or an input file is wrong; retrying cannot help. */
export class InvalidInput extends NamedError {
  override readonly name = 'InvalidInput';
}

/** A key the job needs does not exist; retrying cannot help. */
export class InputNotFound extends NamedError {
  override readonly name = 'InputNotFound';
}

/** The jobId names a job started with other settings or another input object; start a new jobId. */
export class JobMismatch extends NamedError {
  override readonly name = 'JobMismatch';
}

/** Something that may well work on the next attempt (throttling, a flaky dependency). */
export class TransientError extends NamedError {
  override readonly name = 'TransientError';
}

/** A bug: code was called in a way it must never be, or produced what cannot be. Never retried. */
export class InternalError extends NamedError {
  override readonly name = 'InternalError';
}

/** True for the SDK's ways of saying "no such object/key": NoSuchKey, NotFound, HTTP 404. */
export function isNotFound(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; Code?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const names = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'ResourceNotFoundException']);
  if (typeof e.name === 'string' && names.has(e.name)) return true;
  if (typeof e.Code === 'string' && names.has(e.Code)) return true;
  if (typeof e.code === 'string' && names.has(e.code)) return true;
  return e.$metadata?.httpStatusCode === 404;
}

/** A stable one-line description of any thrown value, for logs and the progress table's `cause`. */
export function describeError(err: unknown): { error: string; cause: string } {
  if (err instanceof Error) return { error: err.name || 'Error', cause: err.message };
  return { error: 'Error', cause: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err) };
}
