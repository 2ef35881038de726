// The exact sum of squares of doubles, for variances that do not depend on how rows were partitioned.
//
// x*x rounds, so each square is split without error into x*x = p + e (Dekker's TwoProduct with
// Veltkamp's splitting; JavaScript has no fused multiply-add), and both p and e go into an exact float
// sum. That is exact while nothing overflows or underflows: for 2^-480 <= |x| <= 2^500, p stays below
// 2^1001 and e is a multiple of 2^-1064. Squares of the rare values outside that range are summed as
// bigints instead (x^2 * 2^2148, exact at any size).
import { ExactFloatSum, type ExactFloatSumJSON } from './exact-float-sum';
import { doubleToScaled, SCALE_BITS } from './exact-rounding';
import { decodeBigInt, decodeField, decodeRecord, encodeBigInt } from './json-codec';

/** `exactScaled()` is the sum of squares times 2^SQUARE_SCALE_BITS. */
export const SQUARE_SCALE_BITS = 2 * SCALE_BITS;

export type ExactSquareSumJSON = {
  /** Sum of the squares of the values in the TwoProduct range, as p + e pairs. */
  inRange: ExactFloatSumJSON;
  /** Sum of the squares of the other values, times 2^2148, as a decimal string. */
  outOfRange: string;
};

const MIN_IN_RANGE = 2 ** -480;
const MAX_IN_RANGE = 2 ** 500;
// 2^27 + 1: splits a 53-bit significand into two halves whose products are exact.
const SPLITTER = 134217729;

export class ExactSquareSum {
  private readonly inRange = new ExactFloatSum();
  private outOfRange = 0n;

  /** Adds x*x exactly. x must be finite: a NaN or infinite value has no exact square. */
  add(x: number): void {
    const magnitude = Math.abs(x);
    if (magnitude >= MIN_IN_RANGE && magnitude <= MAX_IN_RANGE) {
      this.addTwoProductSquare(x);
    } else if (!Number.isFinite(x)) {
      throw new RangeError(`${x} has no exact square`);
    } else if (x !== 0) {
      const scaled = doubleToScaled(magnitude);
      this.outOfRange += scaled * scaled;
    }
  }

  merge(other: ExactSquareSum): void {
    this.inRange.merge(other.inRange);
    this.outOfRange += other.outOfRange;
  }

  /** The exact sum of squares times 2^2148: an integer, since every square is a multiple of 2^-2148. */
  exactScaled(): bigint {
    return (this.inRange.exactScaled() << BigInt(SCALE_BITS)) + this.outOfRange;
  }

  toJSON(): ExactSquareSumJSON {
    return { inRange: this.inRange.toJSON(), outOfRange: encodeBigInt(this.outOfRange) };
  }

  static fromJSON(json: unknown): ExactSquareSum {
    const record = decodeRecord(json, 'exact square sum');
    const sum = new ExactSquareSum();
    sum.inRange.merge(decodeField(record, 'inRange', ExactFloatSum.fromJSON));
    sum.outOfRange = decodeField(record, 'outOfRange', decodeBigInt);
    return sum;
  }

  private addTwoProductSquare(x: number): void {
    const p = x * x;
    const spread = SPLITTER * x;
    const hi = spread - (spread - x);
    const lo = x - hi;
    const e = lo * lo - (p - hi * hi - hi * lo - hi * lo);
    this.inRange.add(p);
    this.inRange.add(e);
  }
}
