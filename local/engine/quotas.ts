// AWS Step Functions quotas the engine enforces, so a job meets the same walls here as in production.
import { StatesError } from './errors';

/** Maximum size of a state's input or output, and of a task result: 256 KiB of UTF-8 JSON. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Maximum events in one execution's history; the execution fails when it would pass this. */
export const MAX_HISTORY_EVENTS = 25_000;
/** An inline Map runs at most this many iterations at once, whatever MaxConcurrency says. */
export const INLINE_MAP_MAX_CONCURRENCY = 40;
/** A Distributed Map runs at most this many child executions at once. */
export const DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000;

/** Byte length of a JSON text; skips the UTF-8 count when even 3 bytes per char cannot pass the limit. */
export function jsonByteLength(json: string): number {
  return json.length * 3 <= MAX_PAYLOAD_BYTES ? json.length : Buffer.byteLength(json, 'utf8');
}

/** Throws States.DataLimitExceeded when `json` (already serialized, for history) is over 256 KiB. */
export function checkPayloadSize(json: string, what: string, stateName: string): void {
  if (json.length * 3 <= MAX_PAYLOAD_BYTES) return;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new StatesError(
      'States.DataLimitExceeded',
      `The ${what} of state '${stateName}' is ${bytes} bytes, above the maximum of ${MAX_PAYLOAD_BYTES} bytes.`,
    );
  }
}
