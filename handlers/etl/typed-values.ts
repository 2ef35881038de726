// CSV text to typed values (the representation of parquet-values.ts: int, decimal and timestamp as
// bigints, float and date as numbers). A field that does not parse makes its row a reject with a reason;
// nothing is guessed, rounded or silently dropped.
import { parseDecimal, parseInt64, type ParseResult } from './aggregate/decimal';
import type { EtlValue } from './parquet-values';
import type { ColumnType } from './spec';

const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const FLOAT_WORDS: Record<string, number> = { nan: NaN, inf: Infinity, infinity: Infinity, '+inf': Infinity, '+infinity': Infinity, '-inf': -Infinity, '-infinity': -Infinity };
const BOOLS: Record<string, boolean> = { true: true, t: true, '1': true, false: false, f: false, '0': false };
const DATE = /^(-?\d{4,6})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(-?\d{4,6})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** A decoder's mark for bytes that were not UTF-8: such a field is rejected, not stored garbled. */
const REPLACEMENT = '\uFFFD';

export function parseFloat64(text: string): ParseResult<number> {
  const word = FLOAT_WORDS[text.toLowerCase()];
  if (word !== undefined) return { ok: true, value: word };
  if (!FLOAT.test(text)) return { ok: false, reason: `"${text}" is not a number` };
  return { ok: true, value: Number(text) };
}

function parseBool(text: string): ParseResult<boolean> {
  const value = BOOLS[text.toLowerCase()];
  return value === undefined ? { ok: false, reason: `"${text}" is not a boolean (true/false, t/f, 1/0)` } : { ok: true, value };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Days since 1970-01-01 of a real calendar date (proleptic Gregorian), or undefined (2024-02-30 is
 * not one). Arithmetic (Hinnant's days_from_civil), not Date objects: it runs for every field.
 */
export function epochDay(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function parseDate(text: string): ParseResult<number> {
  const m = DATE.exec(text);
  const days = m ? epochDay(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  return days === undefined ? { ok: false, reason: `"${text}" is not a date (YYYY-MM-DD)` } : { ok: true, value: days };
}

/** UTC offset in minutes of `Z`, `+02:00` or `-0530`. */
function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const digits = zone.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return zone.startsWith('-') ? -minutes : minutes;
}

/** Microseconds since 1970-01-01 UTC; no zone means UTC. Nanoseconds are floored to the microsecond. */
function parseTimestamp(text: string): ParseResult<bigint> {
  const m = TIMESTAMP.exec(text);
  const bad: ParseResult<bigint> = { ok: false, reason: `"${text}" is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][Z|±HH:MM])` };
  if (!m) return bad;
  const days = epochDay(Number(m[1]), Number(m[2]), Number(m[3]));
  const [hours, minutes, seconds] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (days === undefined || hours > 23 || minutes > 59 || seconds > 59) return bad;
  const micros = Number((m[7] ?? '').padEnd(9, '0').slice(0, 6));
  const epochSeconds = days * 86_400 + hours * 3600 + minutes * 60 + seconds - offsetMinutes(m[8]) * 60;
  // Exact in a double within ±285 years of 1970 (2^53 µs); BigInt arithmetic beyond.
  const exact = epochSeconds * 1_000_000 + micros;
  const value = Number.isSafeInteger(exact) ? BigInt(exact) : BigInt(epochSeconds) * 1_000_000n + BigInt(micros);
  return { ok: true, value };
}

function parseText(text: string, type: ColumnType): ParseResult<Exclude<EtlValue, null>> {
  switch (type.kind) {
    case 'string':
      return text.includes(REPLACEMENT) ? { ok: false, reason: 'invalid UTF-8 (or a U+FFFD replacement character)' } : { ok: true, value: text };
    case 'int':
      return parseInt64(text);
    case 'float':
      return parseFloat64(text);
    case 'decimal':
      return parseDecimal(text, { precision: type.precision ?? 18, scale: type.scale ?? 0 });
    case 'bool':
      return parseBool(text);
    case 'date':
      return parseDate(text);
    case 'timestamp':
      return parseTimestamp(text);
  }
}

/** The field as its column's type: an empty field is null (a reject for a not-null column). */
export function parseField(text: string, type: ColumnType): ParseResult<EtlValue> {
  if (text === '') return type.nullable ? { ok: true, value: null } : { ok: false, reason: 'empty, but the column is not null' };
  return parseText(text, type);
}

/** A condition's literal (from the spec's JSON) as a value of the column's type; numbers are read as text. */
export function parseLiteral(value: string | number | boolean, type: ColumnType): ParseResult<EtlValue> {
  if (typeof value === 'boolean') return type.kind === 'bool' ? { ok: true, value } : { ok: false, reason: `${value} is not a ${type.kind}` };
  return parseText(typeof value === 'number' ? numberText(value) : value, type);
}

/** JSON numbers without exponent notation where they are whole, so 1e21 still reads as an int. */
function numberText(n: number): string {
  return Number.isInteger(n) && Math.abs(n) >= 1e21 ? BigInt(n).toString() : String(n);
}
