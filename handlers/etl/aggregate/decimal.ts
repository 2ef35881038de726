// Exact integers and decimals from text, and decimals back to text.
//
// int: a 64-bit signed integer, as a bigint. Text is an optional sign and the ASCII digits, nothing else
// ("+7", "-0", "007" are accepted; "1e3", "1.0", " 12", "1_000", "" are not): a CSV field that is not
// exactly an integer is a rejected row, never a guess.
//
// decimal(p,s): a bigint holding the value times 10^s (12.30 in decimal(5,2) is 1230n), as the rest of
// the ETL holds it. Accepted text: an optional sign, then digits with at most one ".", and at least one
// digit: "-12.30", "5", "+5", ".5", "5.", "007.50". No exponents, spaces, thousands separators, "NaN" or
// "Infinity". A value is never rounded: more than s fraction digits is accepted only when the extra
// digits are zeros ("1.500" in decimal(5,2)), since that loses nothing; otherwise it is rejected. More
// than p - s digits before the point (leading zeros aside) is rejected. "-0.00" is 0 (a bigint has no -0).
//
// Sums of decimal(p,s) values are exact bigints at the same scale s; their precision may exceed p
// (DuckDB widens a sum to decimal(38,s); here there is no limit at all).
import { MAX_DECIMAL_PRECISION } from '../spec';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** A parsed value, or why the text is not one (for the rejected-row report). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface DecimalType {
  /** Total significant digits, 1-38. */
  precision: number;
  /** Digits after the point, 0-precision. */
  scale: number;
}

const INT64_TEXT = /^[+-]?[0-9]+$/;
const INT64_GRAMMAR = 'an int64 is an optional + or - followed by the digits 0-9';
const INT64_MAX_DIGITS = 19;

export function parseInt64(text: string): ParseResult<bigint> {
  if (!INT64_TEXT.test(text)) return reject(text, 'an int64', INT64_GRAMMAR, (c) => /[0-9]/.test(c), /^[+-]$/.test(text));
  const digits = text.replace(/^[+-]?0*/, '');
  // A length check first: BigInt() of a megabyte of digits would be slow for a value that is rejected anyway.
  const value = digits.length > INT64_MAX_DIGITS ? null : BigInt(text.startsWith('+') ? text.slice(1) : text);
  if (value === null || value < INT64_MIN || value > INT64_MAX) {
    return { ok: false, reason: `${quote(text)} is out of the int64 range ${INT64_MIN}..${INT64_MAX}` };
  }
  return { ok: true, value };
}

/** Checks a decimal(p,s) type, throwing a RangeError that says what is wrong. */
export function checkDecimalType(type: DecimalType): void {
  const { precision, scale } = type;
  if (!Number.isInteger(precision) || precision < 1 || precision > MAX_DECIMAL_PRECISION) {
    throw new RangeError(`decimal precision must be an integer 1-${MAX_DECIMAL_PRECISION}, got ${precision}`);
  }
  if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
    throw new RangeError(`decimal scale must be an integer 0-${precision} (the precision), got ${scale}`);
  }
}

const DECIMAL_TEXT = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/;
const DECIMAL_GRAMMAR = 'a decimal is an optional + or -, digits 0-9 and at most one "."';

/** The value of `text` times 10^scale, exactly, or why it is not a decimal(p,s). */
export function parseDecimal(text: string, type: DecimalType): ParseResult<bigint> {
  const { precision, scale } = type;
  const m = DECIMAL_TEXT.exec(text);
  const integerDigits = m?.[2] ?? '';
  const fractionDigits = m?.[3] ?? '';
  if (!m || integerDigits.length + fractionDigits.length === 0) {
    return reject(text, `a decimal(${precision},${scale})`, DECIMAL_GRAMMAR, (c) => /[0-9.]/.test(c), m !== null);
  }
  const extra = fractionDigits.slice(scale);
  if (/[^0]/.test(extra)) {
    return {
      ok: false,
      reason: `${quote(text)} has ${countDigits(fractionDigits.length)} after the point; decimal(${precision},${scale}) holds ${scale} and values are not rounded`,
    };
  }
  const significant = integerDigits.replace(/^0+/, '');
  if (significant.length > precision - scale) {
    return {
      ok: false,
      reason: `${quote(text)} has ${countDigits(significant.length)} before the point; decimal(${precision},${scale}) holds ${precision - scale}`,
    };
  }
  const magnitude = BigInt((significant + fractionDigits.slice(0, scale).padEnd(scale, '0')) || '0');
  return { ok: true, value: m[1] === '-' ? -magnitude : magnitude };
}

/** The canonical text of a decimal: an optional "-", the integer part without leading zeros, and exactly `scale` fraction digits. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const point = digits.length - scale;
  const fraction = scale > 0 ? `.${digits.slice(point)}` : '';
  return `${negative ? '-' : ''}${digits.slice(0, point)}${fraction}`;
}

/**
 * Why a text does not match a number grammar: no text, no digits, or the first character that
 * cannot stand where it is.
 */
function reject(text: string, what: string, grammar: string, isDigitLike: (c: string) => boolean, onlySignOrPoint: boolean): ParseResult<never> {
  if (text.length === 0) return { ok: false, reason: `empty text is not ${what}` };
  if (onlySignOrPoint) return { ok: false, reason: `${quote(text)} is not ${what}: it has no digits` };
  const offset = firstMisplaced(text, isDigitLike);
  return { ok: false, reason: `${quote(text)} is not ${what}: unexpected ${quote(text[offset]!)} at offset ${offset} (${grammar})` };
}

/** The first character that is neither digit-like nor a sign at the very start, nor a second ".". */
function firstMisplaced(text: string, isDigitLike: (c: string) => boolean): number {
  let points = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '.' && isDigitLike(c) && ++points > 1) return i;
    if (!isDigitLike(c) && !(i === 0 && (c === '+' || c === '-'))) return i;
  }
  return 0;
}

function countDigits(n: number): string {
  return n === 1 ? '1 digit' : `${n} digits`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
