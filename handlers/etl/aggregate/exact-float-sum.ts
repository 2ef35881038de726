// The exact sum of doubles, rounded once: the double nearest to the real sum of everything added
// (ties to even), whatever the order of the additions and however they were split among partial sums
// that were merged later. This is Shewchuk's algorithm, as in Python's `math.fsum`.
//
// The running sum is kept exactly as an "expansion": a list of doubles (partials) whose real sum is the
// exact sum so far, non-overlapping and in increasing magnitude. Adding a double runs it through the
// list with error-free additions (TwoSum); merging adds the other sum's partials one by one.
//
// Where fsum raises on an intermediate overflow, this splits by magnitude: values of at least 2^960 go
// to a second expansion scaled by 2^-512, so neither can overflow until 2^53 values have been added
// (at most 2^53 * 2^960 < 2^1014 and 2^53 * 2^512 < 2^566). The two meet only in the final rounding, in
// exact bigint arithmetic.
//
// Specials follow fsum: any NaN, or +Infinity together with -Infinity, gives NaN; otherwise an
// infinity gives that infinity. An exact sum of zero is +0, except when every value added was -0
// (what IEEE addition gives in any order). The JSON form is canonical: equal multisets of added
// values give the same JSON, so partial results can be compared and cached by their text.
import { doubleToScaled, roundRatio, SCALE } from './exact-rounding';
import { decodeArray, decodeField, decodeRecord, InvalidAccumulatorJSON, preview } from './json-codec';

/** What the added values other than finite non-zeros make of the sum. */
export type Special = 'none' | 'NaN' | 'Infinity' | '-Infinity';
/** Which signed zero an exactly zero sum is: only an all -0 input gives -0. */
export type ZeroSign = 'nothing-added' | 'only-negative-zeros' | 'other';

export type ExactFloatSumJSON = {
  /** The canonical expansion of the values below 2^960 in magnitude, smallest first. */
  small: number[];
  /** The same for the values of at least 2^960, each multiplied by 2^-512. */
  large: number[];
  special: Special;
  zero: ZeroSign;
};

const LARGE_THRESHOLD = 2 ** 960;
const LARGE_SCALE = 2 ** -512;
const LARGE_SCALE_BITS = 512n;
// Bounds that partials cannot reach from fewer than 2^53 additions; a JSON state beyond them is forged.
const SMALL_PARTIAL_LIMIT = 2 ** 1014;
const LARGE_PARTIAL_LIMIT = 2 ** 566;
const MAX_CANONICAL_PARTIALS = 64;

export class ExactFloatSum {
  private small: number[] = [];
  private large: number[] = [];
  private special: Special = 'none';
  private zero: ZeroSign = 'nothing-added';

  add(x: number): void {
    if (!Number.isFinite(x)) {
      this.addSpecial(Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity');
      return;
    }
    if (this.zero !== 'other') this.zero = combineZeroSigns(this.zero, Object.is(x, -0) ? 'only-negative-zeros' : 'other');
    // Once the sum is special its finite part cannot matter; dropping it keeps the state canonical.
    if (x === 0 || this.special !== 'none') return;
    if (Math.abs(x) < LARGE_THRESHOLD) growExpansion(this.small, x);
    else growExpansion(this.large, x * LARGE_SCALE);
  }

  /** Adds everything `other` holds; `other` is unchanged (it may be this very sum). */
  merge(other: ExactFloatSum): void {
    this.zero = combineZeroSigns(this.zero, other.zero);
    const small = other.small.slice();
    const large = other.large.slice();
    if (other.special !== 'none') this.addSpecial(other.special);
    if (this.special !== 'none') return;
    for (const p of small) growExpansion(this.small, p);
    for (const p of large) growExpansion(this.large, p);
  }

  /** The double nearest to the exact sum (ties to even), or the special value. 0 when nothing was added. */
  result(): number {
    if (this.special !== 'none') return specialValue(this.special);
    const rounded = this.large.length === 0 ? roundExpansion(this.small) : roundRatio(this.exactScaled(), SCALE);
    return rounded === 0 && this.zero === 'only-negative-zeros' ? -0 : rounded;
  }

  /** The double nearest to the exact sum divided by `divisor` (> 0): one rounding, as for a mean. */
  quotient(divisor: bigint): number {
    if (this.special !== 'none') return specialValue(this.special);
    const rounded = roundRatio(this.exactScaled(), SCALE * divisor);
    return rounded === 0 && this.zero === 'only-negative-zeros' ? -0 : rounded;
  }

  /** The special value, or null when the sum is finite and `exactScaled` applies. */
  specialValue(): number | null {
    return this.special === 'none' ? null : specialValue(this.special);
  }

  /** The exact sum times 2^1074, an integer; only for a sum that is not special. */
  exactScaled(): bigint {
    if (this.special !== 'none') throw new RangeError(`the sum is ${this.special}: it has no exact finite value`);
    let total = 0n;
    for (const p of this.small) total += doubleToScaled(p);
    for (const p of this.large) total += doubleToScaled(p) << LARGE_SCALE_BITS;
    return total;
  }

  toJSON(): ExactFloatSumJSON {
    return { small: canonicalExpansion(this.small), large: canonicalExpansion(this.large), special: this.special, zero: this.zero };
  }

  static fromJSON(json: unknown): ExactFloatSum {
    const record = decodeRecord(json, 'exact float sum');
    const sum = new ExactFloatSum();
    sum.special = decodeField(record, 'special', decodeSpecial);
    sum.zero = decodeField(record, 'zero', decodeZeroSign);
    // Rebuilt through the same additions, so the expansion invariants hold whatever the text said.
    for (const p of decodeField(record, 'small', (v) => decodePartials(v, SMALL_PARTIAL_LIMIT))) growExpansion(sum.small, p);
    for (const p of decodeField(record, 'large', (v) => decodePartials(v, LARGE_PARTIAL_LIMIT))) growExpansion(sum.large, p);
    const hasPartials = sum.small.length > 0 || sum.large.length > 0;
    if (sum.special !== 'none' && hasPartials) throw new InvalidAccumulatorJSON('a special exact float sum has no partials');
    if (sum.zero !== 'other' && (hasPartials || sum.special !== 'none')) {
      throw new InvalidAccumulatorJSON(`zero is ${sum.zero}, yet values other than -0 were added`);
    }
    return sum;
  }

  private addSpecial(special: Special): void {
    this.special = combineSpecials(this.special, special);
    this.zero = 'other';
    this.small = [];
    this.large = [];
  }
}

/**
 * Adds x to the expansion in place, exactly (Shewchuk's GROW-EXPANSION with zero elimination). With
 * |x| >= |y|, hi = x + y rounded and lo = y - (hi - x) is exactly the rounding error (Fast2Sum).
 */
export function growExpansion(partials: number[], value: number): void {
  let x = value;
  let kept = 0;
  for (let i = 0; i < partials.length; i++) {
    let y = partials[i]!;
    if (Math.abs(x) < Math.abs(y)) {
      const larger = y;
      y = x;
      x = larger;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) partials[kept++] = lo;
    x = hi;
  }
  if (x !== 0) partials[kept++] = x;
  partials.length = kept;
}

/**
 * The double nearest to the sum of a non-overlapping expansion (fsum's final step). Summing from the
 * top stops at the first inexact addition; its error `lo` decides the rounding, except at an exact
 * tie, where the sign of the next lower partial says on which side of the tie the true sum lies.
 */
export function roundExpansion(partials: readonly number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  const below = n > 0 ? partials[n - 1]! : 0;
  if ((lo < 0 && below < 0) || (lo > 0 && below > 0)) {
    // hi + lo is a tie that rounded toward hi; the rest pushes past it, so round the other way
    // when 2*lo is exactly the gap to the neighbouring double.
    const y = lo * 2;
    const x = hi + y;
    if (x - hi === y) hi = x;
  }
  return hi;
}

/**
 * The unique expansion of the same value in which each partial is the nearest double to what the
 * partials below it leave: the same exact sum always prints the same way.
 */
function canonicalExpansion(partials: readonly number[]): number[] {
  const rest = partials.slice();
  const top: number[] = [];
  while (rest.length > 0) {
    // Each step peels off at least 53 bits of a range of 2098, so a valid expansion ends within 40
    // steps; a corrupt one (a non-finite partial) would loop forever and time the task out instead.
    if (top.length > MAX_CANONICAL_PARTIALS) throw new Error(`bug: an expansion that does not converge (${partials.join(', ')})`);
    const nearest = roundExpansion(rest);
    top.push(nearest);
    growExpansion(rest, -nearest);
  }
  return top.reverse();
}

function combineSpecials(a: Special, b: Special): Special {
  if (a === 'none' || a === b) return b;
  if (b === 'none') return a;
  return 'NaN';
}

function combineZeroSigns(a: ZeroSign, b: ZeroSign): ZeroSign {
  if (a === 'nothing-added') return b;
  if (b === 'nothing-added') return a;
  return a === 'other' || b === 'other' ? 'other' : 'only-negative-zeros';
}

function specialValue(special: Exclude<Special, 'none'>): number {
  return special === 'NaN' ? NaN : special === 'Infinity' ? Infinity : -Infinity;
}

const SPECIALS: readonly Special[] = ['none', 'NaN', 'Infinity', '-Infinity'];
const ZERO_SIGNS: readonly ZeroSign[] = ['nothing-added', 'only-negative-zeros', 'other'];

function decodeSpecial(v: unknown): Special {
  const found = SPECIALS.find((s) => s === v);
  if (found === undefined) throw new InvalidAccumulatorJSON(`special must be one of ${SPECIALS.join(', ')}`);
  return found;
}

function decodeZeroSign(v: unknown): ZeroSign {
  const found = ZERO_SIGNS.find((s) => s === v);
  if (found === undefined) throw new InvalidAccumulatorJSON(`zero must be one of ${ZERO_SIGNS.join(', ')}`);
  return found;
}

function decodePartials(v: unknown, limit: number): number[] {
  return decodeArray(v, (p) => {
    if (typeof p !== 'number' || p === 0 || !(Math.abs(p) < limit)) {
      throw new InvalidAccumulatorJSON(`a partial must be a non-zero number below ${limit} in magnitude, got ${preview(p)}`);
    }
    return p;
  });
}
