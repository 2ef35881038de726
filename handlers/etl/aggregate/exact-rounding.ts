// Exact values of doubles as bigints, and the one correctly rounded step back to a double.
//
// Every finite double is an integer multiple of 2^-1074 (the smallest subnormal), so `x * 2^1074` is an
// exact bigint: its "scaled" value. Scaled values add and multiply exactly at any size, which is what
// lets an aggregate be computed exactly however its inputs were partitioned, and rounded only once, at
// the end, by `roundRatio` or `roundSqrtRatio` (round to nearest, ties to even, overflow to ±Infinity,
// as IEEE 754 rounds every basic operation).

/** A finite double `x` is exactly `doubleToScaled(x) / 2^SCALE_BITS`. */
export const SCALE_BITS = 1074;
export const SCALE = 1n << BigInt(SCALE_BITS);

const bitsView = new DataView(new ArrayBuffer(8));
const FRACTION_MASK = (1n << 52n) - 1n;
const IMPLICIT_BIT = 1n << 52n;

/** `x * 2^1074`, exactly. Only finite doubles have such a value. */
export function doubleToScaled(x: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`${x} has no exact finite value`);
  bitsView.setFloat64(0, x);
  const bits = bitsView.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & FRACTION_MASK;
  // A normal double is (2^52 + fraction) * 2^(e - 1075); a subnormal, fraction * 2^-1074.
  const magnitude = biasedExponent === 0 ? fraction : (fraction | IMPLICIT_BIT) << BigInt(biasedExponent - 1);
  return bits >> 63n === 1n ? -magnitude : magnitude;
}

/** The double nearest to `num / den` (ties to even; ±Infinity past the largest double). `den > 0`. */
export function roundRatio(num: bigint, den: bigint): number {
  if (den <= 0n) throw new RangeError(`the denominator must be positive, got ${den}`);
  if (num === 0n) return 0;
  const negative = num < 0n;
  const magnitude = negative ? -num : num;
  // num/den > 2^(t-1): shifting by 55 - t makes the integer quotient at least 2^54, i.e. 53 bits
  // to keep and at least two below them to round on.
  const shift = 55 - (bitLength(magnitude) - bitLength(den));
  const { quotient, inexact } = divide(magnitude, den, shift);
  return roundFixedPoint(quotient, shift, inexact, negative);
}

/** The double nearest to `sqrt(num / den)`: one rounding of the exact root. `num >= 0`, `den > 0`. */
export function roundSqrtRatio(num: bigint, den: bigint): number {
  if (den <= 0n) throw new RangeError(`the denominator must be positive, got ${den}`);
  if (num < 0n) throw new RangeError(`the square root of a negative ratio (${num}/${den}) is not real`);
  if (num === 0n) return 0;
  // num/den > 2^(t-1); with num/den * 4^k >= 2^108 the integer root is at least 2^54.
  const k = Math.ceil((109 - (bitLength(num) - bitLength(den))) / 2);
  const { quotient, inexact } = divide(num, den, 2 * k);
  const root = integerSqrt(quotient);
  // floor(sqrt(floor(v))) = floor(sqrt(v)), and the root is exact only when both steps were.
  return roundFixedPoint(root, k, inexact || root * root !== quotient, false);
}

/** floor(num * 2^shift / den), and whether anything was cut off. */
function divide(num: bigint, den: bigint, shift: number): { quotient: bigint; inexact: boolean } {
  const [n, d] = shift >= 0 ? [num << BigInt(shift), den] : [num, den << BigInt(-shift)];
  const quotient = n / d;
  return { quotient, inexact: quotient * d !== n };
}

/**
 * Rounds `(q + f) / 2^shift` to a double, where `q >= 2^54` is an integer and `0 <= f < 1` is known only
 * as `f > 0` (`sticky`): the bits below q cannot turn a tie into a non-tie in any other way.
 */
function roundFixedPoint(q: bigint, shift: number, sticky: boolean, negative: boolean): number {
  const topExponent = bitLength(q) - 1 - shift;
  if (topExponent > 1023) return negative ? -Infinity : Infinity;
  // The spacing of doubles around the value: 53 significant bits, or fewer among the subnormals.
  const quantumExponent = Math.max(topExponent - 52, -1074);
  const dropped = BigInt(quantumExponent + shift);
  const kept = q >> dropped;
  const rest = q - (kept << dropped);
  const half = 1n << (dropped - 1n);
  const roundUp = rest > half || (rest === half && (sticky || (kept & 1n) === 1n));
  // At most 2^53, so exact as a number; the product by a power of two is exact, or overflows
  // to Infinity exactly when rounding carried past the largest double.
  const magnitude = Number(roundUp ? kept + 1n : kept) * 2 ** quantumExponent;
  return negative ? -magnitude : magnitude;
}

/** The number of bits of a positive bigint. */
export function bitLength(n: bigint): number {
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/** floor(sqrt(n)) for n >= 0, by Newton's iteration from above. */
function integerSqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const next = (x + n / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}
