// Reading the fields of a Step Functions JSON request: each reader checks type and AWS's constraints and
// names the offending field in AWS's own ValidationException wording, so a bad request is refused before
// anything runs.
import { MAX_PAYLOAD_BYTES } from '../../engine';
import { NAME_PATTERN } from '../../engine/execution';
import { ApiError } from '../api-types';

export type RequestBody = Record<string, unknown>;

interface Length {
  min?: number;
  max?: number;
}

function constraintError(field: string, value: unknown, constraint: string): ApiError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value).slice(0, 100)}'`;
  return new ApiError('ValidationException', `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`);
}

function typeError(field: string, expected: string): ApiError {
  return new ApiError('ValidationException', `1 validation error detected: Value at '${field}' must be ${expected}`);
}

function checkLength(field: string, value: string, { min, max }: Length): string {
  if (min !== undefined && value.length < min) {
    throw constraintError(field, value, `Member must have length greater than or equal to ${min}`);
  }
  if (max !== undefined && value.length > max) {
    throw constraintError(field, value, `Member must have length less than or equal to ${max}`);
  }
  return value;
}

export function optionalString(body: RequestBody, field: string, length: Length = {}): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw typeError(field, 'a string');
  return checkLength(field, value, length);
}

export function requiredString(body: RequestBody, field: string, length: Length = {}): string {
  const value = optionalString(body, field, length);
  if (value === undefined) throw constraintError(field, undefined, 'Member must not be null');
  return value;
}

export function optionalBoolean(body: RequestBody, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw typeError(field, 'a boolean');
  return value;
}

export function optionalInteger(body: RequestBody, field: string, range: { min: number; max: number }): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(field, 'an integer');
  if (value < range.min) throw constraintError(field, value, `Member must have value greater than or equal to ${range.min}`);
  if (value > range.max) throw constraintError(field, value, `Member must have value less than or equal to ${range.max}`);
  return value;
}

export function optionalEnum<T extends string>(body: RequestBody, field: string, values: readonly T[]): T | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw constraintError(field, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
  }
  return value as T;
}

export function optionalObject(body: RequestBody, field: string): Record<string, unknown> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError(field, 'an object');
  return value as Record<string, unknown>;
}

/** A nested object's fields keyed by their full path (`loggingConfiguration.level`), for the readers above. */
export function prefixed(object: Record<string, unknown>, prefix: string): RequestBody {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [`${prefix}.${key}`, value]));
}

// AWS's rule for state machine and execution names (StartExecution, CreateStateMachine): 1-80 characters,
// none of whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control characters.

/** A state machine or execution name; `InvalidName` otherwise, as AWS answers. */
export function checkName(name: string, what: 'state machine' | 'execution'): string {
  if (!NAME_PATTERN.test(name)) {
    throw new ApiError(
      'InvalidName',
      `Invalid Name: '${name}' (a ${what} name has 1-80 characters and no whitespace, brackets < > { } [ ], wildcards ? *, special characters " # % \\ ^ | ~ \` $ & , ; : / or control characters)`,
    );
  }
  return name;
}

/**
 * JSON text a request carries (execution input, task output): at most 256 KiB of UTF-8 and valid JSON,
 * else `errorType` (InvalidExecutionInput, InvalidOutput) saying which.
 */
export function parseJsonPayload(text: string, field: string, errorType: string): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new ApiError(errorType, `'${field}' is ${bytes} bytes, above the maximum of ${MAX_PAYLOAD_BYTES} bytes (256 KiB of UTF-8).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(errorType, `'${field}' is not valid JSON: ${(err as Error).message}`);
  }
}
