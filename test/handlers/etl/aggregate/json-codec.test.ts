// Doubles and bigints through JSON text without losing a bit, and decoding that refuses anything
// toJSON would not have written.
import { expect } from 'chai';
import { decodeBigInt, decodeCount, decodeDouble, encodeBigInt, encodeDouble, InvalidAccumulatorJSON } from '../../../../handlers/etl/aggregate/json-codec';
import { anyFiniteDouble, seededRandom } from './oracle';

const throughText = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('handlers/etl/aggregate/json-codec', () => {
  it('round-trips every double, -0 and the specials included', () => {
    const rng = seededRandom(12);
    const values = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -Number.MAX_VALUE, 0.1, ...Array.from({ length: 2000 }, () => anyFiniteDouble(rng))];
    for (const x of values) expect(Object.is(decodeDouble(throughText(encodeDouble(x))), x), String(x)).to.equal(true);
    expect([NaN, Infinity, -Infinity, -0].map(encodeDouble)).to.deep.equal(['NaN', 'Infinity', '-Infinity', '-0']);
  });

  it('round-trips bigints of any size as canonical decimal strings', () => {
    for (const n of [0n, -1n, 2n ** 63n, -(10n ** 100n) + 7n]) expect(decodeBigInt(throughText(encodeBigInt(n)))).to.equal(n);
  });

  it('refuses what was not written by an encoder', () => {
    for (const v of ['nan', 'inf', '1e3', null, true, {}]) expect(() => decodeDouble(v), JSON.stringify(v)).to.throw(InvalidAccumulatorJSON);
    for (const v of ['-0', '01', '+1', '1.0', ' 1', '', 1, null]) expect(() => decodeBigInt(v), JSON.stringify(v)).to.throw(InvalidAccumulatorJSON);
    for (const v of [-1, 1.5, 2 ** 53, '3', null]) expect(() => decodeCount(v), JSON.stringify(v)).to.throw(InvalidAccumulatorJSON);
    expect(() => decodeDouble(5n)).to.throw(InvalidAccumulatorJSON, /got 5n/);
  });
});
