// How accumulator states travel through JSON (S3 objects between tasks) without losing a bit.
//
// A finite double other than -0 is a JSON number: JavaScript prints the shortest text that parses back
// to the same double. -0, NaN and the infinities have no JSON number, so they are strings. bigints are
// decimal strings. Decoding checks everything, because a state that decodes to something slightly
// different would give a wrong result with no error.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A double as JSON: a number, or one of the strings for the values JSON numbers cannot hold. */
export type EncodedDouble = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/** A state that is not what `toJSON` writes: corrupt, forged, or of another accumulator. */
export class InvalidAccumulatorJSON extends Error {
  override name = 'InvalidAccumulatorJSON';
}

export function encodeDouble(x: number): EncodedDouble {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return Object.is(x, -0) ? '-0' : x;
}

export function decodeDouble(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  switch (v) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
  }
  throw new InvalidAccumulatorJSON(`expected a double (a number, "NaN", "Infinity", "-Infinity" or "-0"), got ${preview(v)}`);
}

export function encodeBigInt(n: bigint): string {
  return n.toString();
}

// Canonical decimal text only, so that one value has one text.
const BIGINT_TEXT = /^-?(0|[1-9][0-9]*)$/;

export function decodeBigInt(v: unknown): bigint {
  if (typeof v !== 'string' || !BIGINT_TEXT.test(v) || v === '-0') {
    throw new InvalidAccumulatorJSON(`expected an integer as a decimal string, got ${preview(v)}`);
  }
  return BigInt(v);
}

/** A count of values: a non-negative integer small enough to be exact as a number. */
export function decodeCount(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new InvalidAccumulatorJSON(`expected a count (a non-negative safe integer), got ${preview(v)}`);
  }
  return v;
}

export function decodeString(v: unknown): string {
  if (typeof v !== 'string') throw new InvalidAccumulatorJSON(`expected a string, got ${preview(v)}`);
  return v;
}

export function decodeBoolean(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidAccumulatorJSON(`expected true or false, got ${preview(v)}`);
  return v;
}

export function decodeRecord(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InvalidAccumulatorJSON(`${what}: expected an object, got ${preview(v)}`);
  }
  return v as Record<string, unknown>;
}

/** Decodes `record[key]`, naming the key in the error. */
export function decodeField<T>(record: Record<string, unknown>, key: string, decode: (v: unknown) => T): T {
  try {
    return decode(record[key]);
  } catch (error) {
    if (error instanceof InvalidAccumulatorJSON) throw new InvalidAccumulatorJSON(`${key}: ${error.message}`);
    throw error;
  }
}

export function decodeArray<T>(v: unknown, decodeItem: (item: unknown) => T): T[] {
  if (!Array.isArray(v)) throw new InvalidAccumulatorJSON(`expected an array, got ${preview(v)}`);
  return v.map(decodeItem);
}

/** A short, always printable rendering of what was found instead (bigints and huge values included). */
export function preview(v: unknown): string {
  const text = typeof v === 'bigint' ? `${v}n` : v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
