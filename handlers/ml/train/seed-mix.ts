// Derives independent seeds from the job seed (per layer, per epoch, per shuffle window), so each can
// be recomputed from the numbers alone: a resumed task needs no generator state to reshuffle an epoch.

/** A 32-bit seed from the parts (each read as an unsigned 32-bit integer); murmur3's finalizer mixes them. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
