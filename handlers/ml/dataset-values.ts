// How one raw cell of a dataset reads, for Prepare and for `longhaul predict` alike: which cells are
// missing, which text is a number, and the text a categorical level is known by. Prepare fits on these
// rules and predict scores with them, so they live in one place.

/** A cell as a reader hands it over: CSV gives text, Parquet typed values (see dataset-read.ts). */
export type RawValue = string | number | boolean | bigint | null | undefined;

/** One raw row, by column name (what encodeRows scores). */
export type RawRow = Readonly<Record<string, RawValue>>;

/**
 * Text that means "no value", compared after trimming. "NA" is R's and pandas' spelling; "." is how
 * vega-datasets' penguins.json (after the Palmer Penguins CSV) marks the one penguin whose sex was
 * recorded as unknown: a category of one row that no model could learn, so it is missing, not a level.
 */
export const MISSING_MARKERS: readonly string[] = ['', 'NA', '.'];

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** True when the cell holds no value: null, undefined or a missing marker. (A NaN is a value, and refused.) */
export function isMissing(value: RawValue, markers: readonly string[] = MISSING_MARKERS): boolean {
  if (value === null || value === undefined) return true;
  return typeof value === 'string' && markers.includes(value.trim());
}

/**
 * The number a text holds: decimal notation only (Number() would also take "0x1F", "" and " "), plus
 * NaN/Infinity spelled out, returned as such so the caller can refuse them by name. Undefined when the
 * text is not a number at all.
 */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (DECIMAL.test(t)) return Number(t);
  if (NON_FINITE.test(t)) return /nan/i.test(t) ? NaN : t.startsWith('-') ? -Infinity : Infinity;
  return undefined;
}

/** A present cell as a number (booleans as 1/0); undefined when it is text that is not a number. */
export function numberOf(value: Exclude<RawValue, null | undefined>): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return parseNumber(value);
}

/**
 * The text a present cell is known by as a categorical level: trimmed text, or the shortest decimal of a
 * number (so a Parquet INT column and a CSV of the same data give the same levels: 4 and "4").
 */
export function levelOf(value: Exclude<RawValue, null | undefined>): string {
  return typeof value === 'string' ? value.trim() : String(value);
}

/** How a raw cell looks in a message: quoted text, or the value. */
export function showValue(value: RawValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** 1st, 2nd, 3rd, 11th, 101st... for messages. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
