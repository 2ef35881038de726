// A small seeded generator (mulberry32): the same seed gives the same numbers on every machine, and its
// whole state is one 32-bit integer, so a checkpoint can save it and a resumed run continue the sequence.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** The generator's state: `seededRandom(0, state)` continues exactly where this one is. */
  state(): number;
}

/** A generator from `seed`, or resumed from a saved `state` (then the seed is ignored). */
export function seededRandom(seed: number, state?: number): Random {
  let a = (state ?? seed) >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, int, pick: (items) => items[int(0, items.length - 1)]!, state: () => a };
}
