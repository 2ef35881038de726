// Lambda's synchronous invocation payload quotas. AWS's own messages quote these exact byte counts:
// requests are refused above 6 MiB, responses above 6 MiB + 100 bytes.

export const MAX_REQUEST_BYTES = 6_291_456;
export const MAX_RESPONSE_BYTES = 6_291_556;

/** The event as Lambda would receive it: JSON text (no payload at all reaches the handler as `{}`). */
export function encodeEvent(payload: unknown): string {
  return payload === undefined ? '{}' : JSON.stringify(payload);
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
