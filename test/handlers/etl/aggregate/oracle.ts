// Independent oracles for the aggregate tests: exact rational arithmetic in bigints, with every
// conversion done a different, slower and more obviously correct way than the code under test
// (doubles taken apart by repeated doubling, not bit fields; rounding by binary search over all
// doubles, not by shifting), plus seeded random data and random split/merge trees.
import { seededRandom, type Random } from '../../../../handlers/lib/seeded-random';

export { seededRandom, type Random };

/** x * 2^1074 for a finite double: doubling x is exact until it is an integer, and then so is BigInt(). */
export function exactOf(x: number): bigint {
  let m = Math.abs(x);
  let exponent = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    exponent--;
  }
  const magnitude = BigInt(m) << BigInt(1074 + exponent);
  return x < 0 ? -magnitude : magnitude;
}

export const TWO_1074 = 1n << 1074n;
const INFINITY_BITS = 0x7ff0000000000000n;
const view = new DataView(new ArrayBuffer(8));

export function doubleFromBits(bits: bigint): number {
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

export function bitsOfDouble(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

/** The exact value * 2^1074 of the non-negative double with these bits; Infinity stands for 2^1024. */
function scaledAt(bits: bigint): bigint {
  return bits === INFINITY_BITS ? 1n << (1024n + 1074n) : exactOf(doubleFromBits(bits));
}

/**
 * The largest bit pattern in [0, Infinity] whose double d has `fits(d * 2^1074)`; non-negative
 * doubles are ordered like their bit patterns.
 */
function largestFitting(fits: (scaled: bigint) => boolean): bigint {
  let lo = 0n;
  let hi = INFINITY_BITS;
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (fits(scaledAt(mid))) lo = mid;
    else hi = mid - 1n;
  }
  return lo;
}

/** Between the doubles with bits b and b+1: which is nearer (`comparison` < 0: b), ties to the even pattern. */
function pick(below: bigint, comparison: number): bigint {
  if (comparison < 0) return below;
  if (comparison > 0) return below + 1n;
  return below % 2n === 0n ? below : below + 1n;
}

function sign(n: bigint): number {
  return n < 0n ? -1 : n > 0n ? 1 : 0;
}

/** The double nearest to num/den (ties to even, IEEE overflow to Infinity). den > 0. */
export function nearestDouble(num: bigint, den: bigint): number {
  const negative = num < 0n;
  const target = (negative ? -num : num) * TWO_1074; // compare d*2^1074*den with |num|*2^1074
  const below = largestFitting((s) => s * den <= target);
  const result =
    below === INFINITY_BITS
      ? Infinity
      : doubleFromBits(pick(below, sign(2n * target - (scaledAt(below) + scaledAt(below + 1n)) * den)));
  return negative ? -result : result;
}

/** The double nearest to sqrt(num/den) (ties to even). num >= 0, den > 0. */
export function nearestSqrt(num: bigint, den: bigint): number {
  // d <= sqrt(num/den) <=> (d*2^1074)^2 * den <= num * 2^2148
  const target = num * TWO_1074 * TWO_1074;
  const below = largestFitting((s) => s * s * den <= target);
  if (below === INFINITY_BITS) return Infinity;
  // sqrt(v) against the midpoint m = (a + b) / 2 / 2^1074: compare v with m^2.
  const mid = scaledAt(below) + scaledAt(below + 1n);
  return doubleFromBits(pick(below, sign(4n * target - mid * mid * den)));
}

/** The correctly rounded sum as fsum defines it, from exact rationals. */
export function oracleSum(values: readonly number[]): number {
  return oracleQuotient(values, 1n);
}

/** The double nearest to the exact sum divided by `divisor`, with fsum's specials and IEEE's signed zeros. */
export function oracleQuotient(values: readonly number[], divisor: bigint): number {
  const hasNaN = values.some(Number.isNaN);
  const hasPositive = values.includes(Infinity);
  const hasNegative = values.includes(-Infinity);
  if (hasNaN || (hasPositive && hasNegative)) return NaN;
  if (hasPositive) return Infinity;
  if (hasNegative) return -Infinity;
  const total = values.reduce((sum, x) => sum + exactOf(x), 0n);
  if (total === 0n) return values.length > 0 && values.every((x) => Object.is(x, -0)) ? -0 : 0;
  return nearestDouble(total, TWO_1074 * divisor);
}

/** The next double up from a finite positive or zero double. */
export function nextUp(x: number): number {
  return doubleFromBits(bitsOfDouble(x) + 1n);
}

// ---- random data --------------------------------------------------------------------------------

/** A random 64-bit pattern, from two 32-bit draws. */
function randomBits(rng: Random): bigint {
  const hi = BigInt(Math.floor(rng.next() * 2 ** 32));
  const lo = BigInt(Math.floor(rng.next() * 2 ** 32));
  return (hi << 32n) | lo;
}

/** A random finite double from all of them (any exponent, subnormals included). */
export function anyFiniteDouble(rng: Random): number {
  for (;;) {
    const x = doubleFromBits(randomBits(rng));
    if (Number.isFinite(x)) return x;
  }
}

/** A random double with a random significand and an exponent in [lo, hi]. */
export function doubleWithExponent(rng: Random, lo: number, hi: number): number {
  const significand = 1 + rng.next();
  const x = significand * 2 ** rng.int(lo, hi);
  return rng.next() < 0.5 ? -x : x;
}

/**
 * Arrays that stress exact summation: mixed magnitudes, values that cancel exactly, near-overflow
 * values, subnormals, small integers and signed zeros.
 */
export function stressArray(rng: Random, length: number): number[] {
  const style = rng.int(0, 6);
  const values: number[] = [];
  for (let i = 0; i < length; i++) {
    const roll = rng.next();
    if (values.length > 0 && roll < 0.2) {
      values.push(-rng.pick(values)); // exact cancellation
      continue;
    }
    switch (style) {
      case 0:
        values.push(anyFiniteDouble(rng));
        break;
      case 1:
        values.push(doubleWithExponent(rng, -60, 60));
        break;
      case 2:
        values.push(doubleWithExponent(rng, 1000, 1023)); // intermediate overflow territory
        break;
      case 3:
        values.push(doubleWithExponent(rng, -1074, -1000)); // subnormals and just above
        break;
      case 4:
        values.push(rng.pick([0, -0, 1, -1, 0.5, 2 ** 53, 2 ** -53, 0.1, -0.1, 1e308, -1e308, 5e-324]));
        break;
      case 5:
        values.push(rng.int(-1000, 1000) * 2 ** rng.int(-1074, 960)); // exact small multiples
        break;
      default:
        values.push(rng.next() < 0.5 ? doubleWithExponent(rng, -1074, 1023) : doubleWithExponent(rng, -3, 3));
    }
  }
  return values;
}

export function shuffled<T>(rng: Random, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface MergeOps<V, A> {
  create(): A;
  add(acc: A, value: V): void;
  merge(into: A, from: A): void;
  /** Through JSON text and back, as between tasks. */
  roundTrip(acc: A): A;
}

/**
 * Splits `values` at random among 1..8 partial accumulators (some may stay empty), each filled in its
 * own random order, then merges them in a random tree, sometimes through JSON, into one.
 */
export function splitAndMerge<V, A>(rng: Random, values: readonly V[], ops: MergeOps<V, A>): A {
  const parts = Array.from({ length: rng.int(1, 8) }, () => ops.create());
  for (const value of shuffled(rng, values)) ops.add(parts[rng.int(0, parts.length - 1)]!, value);
  let pool = parts.map((part) => (rng.next() < 0.5 ? ops.roundTrip(part) : part));
  while (pool.length > 1) {
    const i = rng.int(0, pool.length - 1);
    let j = rng.int(0, pool.length - 2);
    if (j >= i) j++;
    ops.merge(pool[i]!, pool[j]!);
    if (rng.next() < 0.3) pool[i] = ops.roundTrip(pool[i]!);
    pool = pool.filter((_, k) => k !== j);
  }
  return pool[0]!;
}
