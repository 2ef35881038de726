// How a typed ETL value lives in memory between the Parquet reader, the transform and the Parquet
// writer. One representation for all three, chosen so that nothing exact ever passes through a double:
//
//   kind        JS value                                   why
//   string      string                                     (UTF-8 decoded)
//   int         bigint                                     64-bit exact: -2^63 .. 2^63-1
//   float       number                                     a double is what FLOAT/DOUBLE hold
//   decimal     bigint: the unscaled value, v * 10^scale   exact to 38 digits; the scale comes from the
//                                                          column type (decimal(12,2): 12.34 is 1234n)
//   bool        boolean
//   date        number: whole days since 1970-01-01        what Parquet DATE stores (INT32); negative
//                                                          before 1970; exact in a double
//   timestamp   bigint: microseconds since 1970-01-01 UTC  what Athena and DuckDB use; exact (a double
//                                                          loses microseconds past 2^53 µs, ~285 years)
//   (null)      null                                       for any kind
//
// Timestamps stored in milliseconds are scaled up exactly; nanoseconds are floored to the
// microsecond (toward -infinity, so 1969 instants stay ordered).

/** A typed value of an ETL column: see the table above for which JS type each column kind uses. */
export type EtlValue = string | number | bigint | boolean | null;

/** Floor division for bigints (`/` truncates toward zero, which is wrong for instants before 1970). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** A big-endian two's-complement integer (Parquet's DECIMAL in FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY). */
export function bigintFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  // Up to 6 bytes fits a double exactly: one BigInt conversion instead of one per byte.
  if (bytes.length <= 6) {
    let n = 0;
    for (const b of bytes) n = n * 256 + b;
    if (bytes[0]! & 0x80) n -= 2 ** (bytes.length * 8);
    return BigInt(n);
  }
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes[0]! & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** The smallest FIXED_LEN_BYTE_ARRAY length that holds every decimal of `precision` digits. */
export function decimalByteLength(precision: number): number {
  const largest = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (largest > (1n << BigInt(bytes * 8 - 1)) - 1n) bytes++;
  return bytes;
}
