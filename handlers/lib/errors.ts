// Errors a handler throws on purpose. Their `name` becomes Lambda's errorType, which the ASL
// Retry/Catch blocks match, so the names are part of the contract and must never change:
// InvalidInput / InputNotFound are not worth retrying; TransientError is.

/** Where the problem is: the S3 key, the event field, the CSV row... whatever lets a person find it. */
export interface ErrorDetails {
  key?: string;
  field?: string;
  row?: number;
  [k: string]: unknown;
}

/** The stable names ASL matches on. */
export const ERROR_NAMES = {
  invalidInput: 'InvalidInput',
  inputNotFound: 'InputNotFound',
  transient: 'TransientError',
} as const;

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

abstract class DetailedError extends Error {
  readonly details: ErrorDetails;
  constructor(message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(withLocation(message, details), options);
    this.details = details ?? {};
  }
}

/** The event or an input file is wrong; retrying cannot help. */
export class InvalidInput extends DetailedError {}

/** A key the job needs does not exist; retrying cannot help. */
export class InputNotFound extends DetailedError {}

/** Something that may well work on the next attempt (throttling, a flaky dependency). */
export class TransientError extends DetailedError {}

// On the prototype rather than as a class field: V8 writes the stack's first line during the
// Error constructor, before subclass fields exist, and Lambda reports that stack as the trace.
for (const [cls, name] of [
  [InvalidInput, ERROR_NAMES.invalidInput],
  [InputNotFound, ERROR_NAMES.inputNotFound],
  [TransientError, ERROR_NAMES.transient],
] as const) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
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
