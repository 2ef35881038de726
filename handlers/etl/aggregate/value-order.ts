// Total orders on column values, so that min, max and the sorted JSON of a distinct set are one
// answer whatever order values arrive in. Each returns a negative, zero or positive number.

export type Compare<V> = (a: V, b: V) => number;

export function compareBigInts(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareBooleans(a: boolean, b: boolean): number {
  return Number(a) - Number(b);
}

/**
 * -Infinity < ... < -0 < +0 < ... < +Infinity < NaN. NaN sorts last as in DuckDB; -0 before +0 (they
 * compare equal in IEEE) so that min and max do not depend on which of the two came first.
 */
export function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return a !== 0 || Object.is(a, b) ? 0 : Object.is(a, -0) ? -1 : 1;
  return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
}

/**
 * Unicode code point order, which is the byte order of UTF-8 and so DuckDB's and Parquet's. JavaScript's
 * `<` compares UTF-16 code units, which puts U+E000..U+FFFF after the astral characters (their
 * surrogates are D800..DFFF); moving the surrogates above FFFF at the first difference fixes that.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
