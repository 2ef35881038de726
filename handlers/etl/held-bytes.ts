// About how many bytes values held in memory cost in V8 (64-bit, compressed pointers), for a partition
// to write out what it holds before it outgrows its memory: estimates on the safe side (strings taken
// as two bytes a character), cheap enough to count on every row.

/** A value in a Set, Map or array: its slot, and the string's or bigint's header and body. */
export function valueBytes(value: unknown): number {
  if (typeof value === 'string') return 40 + 2 * value.length;
  return typeof value === 'bigint' ? 48 : 24;
}

/** A row of values in an array. */
export function rowBytes(values: readonly unknown[]): number {
  let bytes = 32;
  for (const v of values) bytes += valueBytes(v);
  return bytes;
}

/** A reject: its object, reason and raw text. */
export function rejectBytes(reject: { reason: string; raw: string }): number {
  return 64 + valueBytes(reject.reason) + valueBytes(reject.raw);
}
