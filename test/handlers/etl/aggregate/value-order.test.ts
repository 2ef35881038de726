// The total orders behind min, max and sorted distinct sets, against independent definitions: UTF-8
// byte order for strings, IEEE 754 totalOrder through the bit patterns for doubles.
import { expect } from 'chai';
import { compareBigInts, compareBooleans, compareCodePoints, compareDoubles } from '../../../../handlers/etl/aggregate/value-order';
import { anyFiniteDouble, bitsOfDouble, seededRandom, type Random } from './oracle';

const sign = (n: number) => Math.sign(n) + 0;

/** IEEE totalOrder key: flip all bits of negatives, the sign bit of positives; JS's one NaN is positive. */
function totalOrderKey(x: number): bigint {
  const bits = bitsOfDouble(x);
  return bits >> 63n ? ~bits & 0xffffffffffffffffn : bits | (1n << 63n);
}

const PIECES = ['', 'a', 'b', 'A', 'é', '\u00ff', '\u0800', '\uD7FF', '\uE000', '\uFFFF', '😀', '𝄞', '\u{10FFFF}', 'ab', 'a\u0000'];

function randomString(rng: Random): string {
  return Array.from({ length: rng.int(0, 4) }, () => rng.pick(PIECES)).join('');
}

describe('handlers/etl/aggregate/value-order', () => {
  it('orders strings by code point, as their UTF-8 bytes (and DuckDB) do', () => {
    const rng = seededRandom(31);
    for (let i = 0; i < 3000; i++) {
      const a = randomString(rng);
      const b = randomString(rng);
      const expected = Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
      expect(sign(compareCodePoints(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).to.equal(expected);
    }
    // Where UTF-16 order (JavaScript's <) is wrong:
    expect('\uFFFF' < '😀').to.equal(false);
    expect(compareCodePoints('\uFFFF', '😀')).to.be.below(0);
  });

  it('orders doubles by IEEE totalOrder: -Infinity < ... < -0 < +0 < ... < Infinity < NaN', () => {
    const rng = seededRandom(32);
    const specials = [NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, Number.MAX_VALUE];
    const values = [...specials, ...Array.from({ length: 400 }, () => anyFiniteDouble(rng))];
    for (const a of values) {
      for (const b of values.slice(0, 40)) {
        const ka = totalOrderKey(a);
        const kb = totalOrderKey(b);
        expect(sign(compareDoubles(a, b)), `${a} vs ${b}`).to.equal(ka < kb ? -1 : ka > kb ? 1 : 0);
      }
    }
    expect(compareDoubles(NaN, NaN)).to.equal(0);
  });

  it('orders bigints numerically and false before true', () => {
    expect(sign(compareBigInts(-(2n ** 63n), 2n ** 63n - 1n))).to.equal(-1);
    expect(compareBigInts(5n, 5n)).to.equal(0);
    expect(sign(compareBigInts(10n ** 30n, 9n))).to.equal(1);
    expect([true, false, true].sort(compareBooleans)).to.deep.equal([false, true, true]);
  });
});
