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

// Fast paths for the common shapes of each type, run on every field: they accept only text the full
// parsers above accept, give the same value, and leave everything else (errors included) to them.

const DIGIT_0 = 48;
/** Digits a double holds exactly (< 2^53), whatever they are. */
const SAFE_DIGITS = 15;

/** The digit at `i`, or -1. */
function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - DIGIT_0;
  return d >= 0 && d <= 9 ? d : -1;
}

/** The number of `count` digits at `i`, or -1. */
function digitsAt(text: string, i: number, count: number): number {
  let v = 0;
  for (let k = i; k < i + count; k++) {
    const d = digitAt(text, k);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** An int of at most 15 digits without BigInt's text parsing. */
function quickInt(text: string): bigint | undefined {
  const first = text.charCodeAt(0);
  const i = first === 0x2d || first === 0x2b ? 1 : 0;
  const digits = text.length - i;
  if (digits === 0 || digits > SAFE_DIGITS) return undefined;
  const v = digitsAt(text, i, digits);
  if (v < 0) return undefined;
  return BigInt(first === 0x2d ? -v : v);
}

/** A decimal whose unscaled value has at most 15 significant digits, within its precision and scale. */
function quickDecimal(text: string, precision: number, scale: number): bigint | undefined {
  const n = text.length;
  const first = text.charCodeAt(0);
  let i = first === 0x2d || first === 0x2b ? 1 : 0;
  let v = 0;
  let significant = 0;
  let digits = 0;
  for (; i < n; i++) {
    const d = digitAt(text, i);
    if (d < 0) break;
    v = v * 10 + d;
    if (v > 0) significant++;
    digits++;
  }
  if (significant > precision - scale || significant + scale > SAFE_DIGITS) return undefined;
  let fraction = 0;
  if (i < n) {
    if (text.charCodeAt(i) !== 0x2e) return undefined;
    for (i++; i < n; i++) {
      const d = digitAt(text, i);
      if (d < 0) return undefined;
      // A digit past the scale must be 0: anything else is the full parser's reject.
      if (fraction < scale) v = v * 10 + d;
      else if (d !== 0) return undefined;
      fraction++;
      digits++;
    }
  }
  if (digits === 0) return undefined;
  for (; fraction < scale; fraction++) v *= 10;
  return BigInt(first === 0x2d ? -v : v);
}

/** Whether `text` is what FLOAT matches, checked without the regex. */
function isFloatText(text: string): boolean {
  const n = text.length;
  const first = text.charCodeAt(0);
  let i = first === 0x2d || first === 0x2b ? 1 : 0;
  let mantissa = 0;
  while (i < n && digitAt(text, i) >= 0) (i++, mantissa++);
  if (i < n && text.charCodeAt(i) === 0x2e) for (i++; i < n && digitAt(text, i) >= 0; i++) mantissa++;
  if (mantissa === 0) return false;
  if (i < n && (text.charCodeAt(i) | 0x20) === 0x65) {
    i++;
    if (i < n && (text.charCodeAt(i) === 0x2d || text.charCodeAt(i) === 0x2b)) i++;
    let exponent = 0;
    while (i < n && digitAt(text, i) >= 0) (i++, exponent++);
    if (exponent === 0) return false;
  }
  return i === n;
}

/** Days of a `YYYY-MM-DD` prefix (a 4-digit year), or undefined. */
function quickDay(text: string): number | undefined {
  if (text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  return year < 0 || month < 0 || day < 0 ? undefined : epochDay(year, month, day);
}

/** A `YYYY-MM-DD HH:MM:SS` (or `T`) timestamp, UTC, within ±285 years of 1970. */
function quickTimestamp(text: string): bigint | undefined {
  if (text.length !== 19) return undefined;
  const sep = text.charCodeAt(10);
  if ((sep !== 0x20 && sep !== 0x54) || text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return undefined;
  const days = quickDay(text);
  const hours = digitsAt(text, 11, 2);
  const minutes = digitsAt(text, 14, 2);
  const seconds = digitsAt(text, 17, 2);
  if (days === undefined || hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) return undefined;
  const micros = (days * 86_400 + hours * 3600 + minutes * 60 + seconds) * 1_000_000;
  return Number.isSafeInteger(micros) ? BigInt(micros) : undefined;
}

/** The value by a fast path, or undefined when only the full parser can say. */
function quickValue(text: string, type: ColumnType): Exclude<EtlValue, null> | undefined {
  switch (type.kind) {
    case 'int':
      return quickInt(text);
    case 'float':
      return isFloatText(text) ? Number(text) : undefined;
    case 'decimal':
      return quickDecimal(text, type.precision ?? 18, type.scale ?? 0);
    case 'date':
      return text.length === 10 ? quickDay(text) : undefined;
    case 'timestamp':
      return quickTimestamp(text);
    default:
      return undefined;
  }
}

/** The full parsers alone, without the fast paths: what those must agree with. */
export function parseTextFully(text: string, type: ColumnType): ParseResult<Exclude<EtlValue, null>> {
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

function parseText(text: string, type: ColumnType): ParseResult<Exclude<EtlValue, null>> {
  const value = quickValue(text, type);
  return value === undefined ? parseTextFully(text, type) : { ok: true, value };
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
