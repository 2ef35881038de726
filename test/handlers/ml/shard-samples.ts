// Shards for the format and store tests.
import { expect } from 'chai';
import { seededRandom } from '../../../handlers/lib/seeded-random';
import type { ShardData } from '../../../handlers/ml/shard-format';

/** Awkward float32 values on purpose: -0, subnormals, the extremes, and random bit patterns. */
export function awkwardShard(rows: number, width: number, seed = 1): ShardData {
  const random = seededRandom(seed);
  const features = new Float32Array(rows * width);
  const bits = new Uint32Array(features.buffer);
  for (let i = 0; i < bits.length; i++) bits[i] = random.int(0, 0xffffffff);
  // Random bit patterns include NaNs; no shard ever holds one, and NaN payloads need not survive a copy.
  for (let i = 0; i < features.length; i++) if (Number.isNaN(features[i])) features[i] = i;
  features.set([-0, 1.4e-45, 3.4028234663852886e38, -1.1754942106924411e-38].slice(0, features.length));
  const labels = Float32Array.from({ length: rows }, (_, i) => i % 3);
  return { rows, width, features, labels, rowNumbers: Uint32Array.from({ length: rows }, (_, i) => 2 + i * 7) };
}

/** The two arrays hold the same bits (NaN-safe and -0-safe, unlike a comparison of values). */
export function sameBits(a: Float32Array, b: Float32Array): void {
  expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(a.buffer, a.byteOffset, a.byteLength))).to.equal(true);
}
