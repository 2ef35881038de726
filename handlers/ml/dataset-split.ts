// Which rows train, which validate and which test: a seeded shuffle cut by fractions, the same for the
// same seed on every machine (handlers/lib/seeded-random.ts), so a re-run job trains on the same rows.
// For classification the cut is made within each class (stratified), so a class of a few percent still
// appears in the validation and test splits instead of landing in one of them by chance.
import { InvalidInput } from '../lib/errors';
import { seededRandom, type Random } from '../lib/seeded-random';

export interface SplitFractions {
  /** Share of the rows for validation (early stopping); default 0.15. */
  validation: number;
  /** Share of the rows for the final test metrics; default 0.15. */
  test: number;
}

export const DEFAULT_SPLIT: SplitFractions = { validation: 0.15, test: 0.15 };

/** Row indices (into the rows given) of each split, each in its own shuffled order. */
export interface SplitRows {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** Fewest rows of a group (the whole set, or one class) that can give every split one row. */
const ROWS_FOR_ALL_SPLITS = 3;

export function checkFractions(f: SplitFractions): void {
  for (const name of ['validation', 'test'] as const) {
    const v = f[name];
    if (!Number.isFinite(v) || v < 0 || v >= 0.5) throw new InvalidInput(`The ${name} fraction must be at least 0 and below 0.5, got ${v}`, { field: `split.${name}` });
  }
  if (f.validation + f.test > 0.8) throw new InvalidInput(`The validation and test fractions leave under 20% of the rows to train on (${f.validation} + ${f.test})`, { field: 'split' });
}

/** In place, Fisher–Yates with the seeded generator. */
export function shuffle(items: Int32Array, random: Random): Int32Array {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/**
 * How many of `n` rows go to validation and test: the fractions rounded, but at least one each (when
 * its fraction is not 0) once `n` can spare them, and never all of them.
 */
export function splitCounts(n: number, f: SplitFractions): { train: number; validation: number; test: number } {
  if (n < ROWS_FOR_ALL_SPLITS) return { train: n, validation: 0, test: 0 };
  let validation = f.validation > 0 ? Math.max(1, Math.round(n * f.validation)) : 0;
  let test = f.test > 0 ? Math.max(1, Math.round(n * f.test)) : 0;
  while (n - validation - test < 1) {
    if (test >= validation && test > 0) test--;
    else validation--;
  }
  return { train: n - validation - test, validation, test };
}

/**
 * Splits rows `0..count-1`. With `strata` (a class index per row) each class is split on its own and
 * the splits then shuffled again so classes interleave; a class of fewer than 3 rows goes to train only.
 */
export function splitRows(count: number, seed: number, fractions: SplitFractions = DEFAULT_SPLIT, strata?: ArrayLike<number>): SplitRows {
  checkFractions(fractions);
  const random = seededRandom(seed);
  const groups: Int32Array[] = [];
  if (strata) {
    const members = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const s = strata[i]!;
      let list = members.get(s);
      if (!list) members.set(s, (list = []));
      list.push(i);
    }
    // Classes in index order, so the generator's draws do not depend on which class came first in the file.
    for (const s of [...members.keys()].sort((a, b) => a - b)) groups.push(Int32Array.from(members.get(s)!));
  } else {
    groups.push(Int32Array.from({ length: count }, (_, i) => i));
  }
  const parts: Record<keyof SplitRows, number[]> = { train: [], validation: [], test: [] };
  for (const group of groups) {
    shuffle(group, random);
    const c = splitCounts(group.length, fractions);
    let at = 0;
    for (const name of ['train', 'validation', 'test'] as const) {
      for (const i of group.subarray(at, at + c[name])) parts[name].push(i);
      at += c[name];
    }
  }
  return {
    train: shuffle(Int32Array.from(parts.train), random),
    validation: shuffle(Int32Array.from(parts.validation), random),
    test: shuffle(Int32Array.from(parts.test), random),
  };
}
