// Strict int64 and decimal(p,s) parsing (what is accepted, what is rejected and why), canonical
// decimal text, and exact sums, against bigint arithmetic written out in the test.
import { expect } from 'chai';
import { checkDecimalType, formatDecimal, INT64_MAX, INT64_MIN, parseDecimal, parseInt64, type ParseResult } from '../../../../handlers/etl/aggregate/decimal';
import { seededRandom } from './oracle';

function accepted<T>(result: ParseResult<T>, text: string): T {
  if (!result.ok) expect.fail(`${JSON.stringify(text)} was rejected: ${result.reason}`);
  return result.value;
}

function rejection<T>(result: ParseResult<T>, text: string): string {
  if (result.ok) expect.fail(`${JSON.stringify(text)} was accepted as ${String(result.value)}`);
  return result.reason;
}

describe('handlers/etl/aggregate/decimal', () => {
  describe('parseInt64', () => {
    const good: [string, bigint][] = [
      ['0', 0n],
      ['-0', 0n],
      ['+7', 7n],
      ['007', 7n],
      ['-42', -42n],
      ['9223372036854775807', INT64_MAX],
      ['-9223372036854775808', INT64_MIN],
      ['+0009223372036854775807', INT64_MAX],
    ];
    for (const [text, value] of good) {
      it(`accepts ${JSON.stringify(text)} as ${value}`, () => expect(accepted(parseInt64(text), text)).to.equal(value));
    }

    const bad: [string, RegExp][] = [
      ['', /^empty text is not an int64$/],
      ['1e3', /^"1e3" is not an int64: unexpected "e" at offset 1 \(an int64 is an optional \+ or - followed by the digits 0-9\)$/],
      ['1.0', /unexpected "\." at offset 1/],
      [' 12', /unexpected " " at offset 0/],
      ['12 ', /unexpected " " at offset 2/],
      ['1_000', /unexpected "_" at offset 1/],
      ['1,000', /unexpected "," at offset 1/],
      ['+-1', /unexpected "-" at offset 1/],
      ['0x1A', /unexpected "x" at offset 1/],
      ['١٢', /unexpected "١" at offset 0/],
      ['NaN', /unexpected "N" at offset 0/],
      ['-', /^"-" is not an int64: it has no digits$/],
      ['+', /it has no digits/],
      ['9223372036854775808', /^"9223372036854775808" is out of the int64 range -9223372036854775808\.\.9223372036854775807$/],
      ['-9223372036854775809', /out of the int64 range/],
      ['1'.repeat(100), /^"1{40}…" is out of the int64 range/],
    ];
    for (const [text, reason] of bad) {
      it(`rejects ${JSON.stringify(text.slice(0, 20))} saying why`, () => expect(rejection(parseInt64(text), text)).to.match(reason));
    }

    it('reads back every printed int64', () => {
      const rng = seededRandom(5);
      for (let i = 0; i < 500; i++) {
        const n = BigInt.asIntN(64, BigInt(Math.floor(rng.next() * 2 ** 32)) * BigInt(Math.floor(rng.next() * 2 ** 32)) * BigInt(rng.int(1, 4)));
        expect(accepted(parseInt64(n.toString()), n.toString())).to.equal(n);
      }
    });
  });

  describe('parseDecimal', () => {
    const d52 = { precision: 5, scale: 2 };
    const good: [string, { precision: number; scale: number }, bigint][] = [
      ['-12.30', d52, -1230n],
      ['5', d52, 500n],
      ['+5', d52, 500n],
      ['.5', d52, 50n],
      ['5.', d52, 500n],
      ['-.05', d52, -5n],
      ['007.50', d52, 750n],
      ['999.99', d52, 99999n],
      ['-999.99', d52, -99999n],
      ['1.500', d52, 150n],
      ['1.5000000000', d52, 150n],
      ['-0.00', d52, 0n],
      ['0', { precision: 1, scale: 0 }, 0n],
      ['9', { precision: 1, scale: 0 }, 9n],
      ['.1', { precision: 1, scale: 1 }, 1n],
      ['0.1', { precision: 1, scale: 1 }, 1n],
      ['99999999999999999999999999999999999999', { precision: 38, scale: 0 }, 10n ** 38n - 1n],
      ['-0.99999999999999999999999999999999999999', { precision: 38, scale: 38 }, -(10n ** 38n - 1n)],
    ];
    for (const [text, type, value] of good) {
      it(`accepts ${JSON.stringify(text)} in decimal(${type.precision},${type.scale}) as ${value}`, () => {
        expect(accepted(parseDecimal(text, type), text)).to.equal(value);
      });
    }

    const bad: [string, RegExp][] = [
      ['', /^empty text is not a decimal\(5,2\)$/],
      ['.', /^"\." is not a decimal\(5,2\): it has no digits$/],
      ['-', /it has no digits/],
      ['+.', /it has no digits/],
      ['1e3', /^"1e3" is not a decimal\(5,2\): unexpected "e" at offset 1 \(a decimal is an optional \+ or -, digits 0-9 and at most one "\."\)$/],
      ['1.2.3', /unexpected "\." at offset 3/],
      [' 1.5', /unexpected " " at offset 0/],
      ['1,5', /unexpected "," at offset 1/],
      ['1 000.00', /unexpected " " at offset 1/],
      ['NaN', /unexpected "N" at offset 0/],
      ['Infinity', /unexpected "I" at offset 0/],
      ['$5', /unexpected "\$" at offset 0/],
      ['1.505', /^"1\.505" has 3 digits after the point; decimal\(5,2\) holds 2 and values are not rounded$/],
      ['0.001', /has 3 digits after the point/],
      ['1000', /^"1000" has 4 digits before the point; decimal\(5,2\) holds 3$/],
      ['-1000.00', /has 4 digits before the point/],
    ];
    for (const [text, reason] of bad) {
      it(`rejects ${JSON.stringify(text)} in decimal(5,2) saying why`, () => expect(rejection(parseDecimal(text, d52), text)).to.match(reason));
    }

    it('rejects a fraction in decimal(p,0) and any integer digit in decimal(p,p)', () => {
      expect(rejection(parseDecimal('0.5', { precision: 3, scale: 0 }), '0.5')).to.match(/holds 0 and values are not rounded/);
      expect(rejection(parseDecimal('1.5', { precision: 2, scale: 2 }), '1.5')).to.match(/has 1 digit before the point; decimal\(2,2\) holds 0/);
    });
  });

  describe('formatDecimal', () => {
    const cases: [bigint, number, string][] = [
      [-1230n, 2, '-12.30'],
      [5n, 2, '0.05'],
      [-5n, 2, '-0.05'],
      [0n, 2, '0.00'],
      [0n, 0, '0'],
      [123n, 0, '123'],
      [-(10n ** 38n - 1n), 38, '-0.99999999999999999999999999999999999999'],
      [10n ** 40n, 2, '100000000000000000000000000000000000000.00'],
    ];
    for (const [unscaled, scale, text] of cases) {
      it(`writes ${unscaled} at scale ${scale} as ${text}`, () => expect(formatDecimal(unscaled, scale)).to.equal(text));
    }

    it('round-trips with parseDecimal, and matches an integer-division rendering', () => {
      const rng = seededRandom(8);
      for (let i = 0; i < 500; i++) {
        const precision = rng.int(1, 38);
        const scale = rng.int(0, precision);
        const digits = rng.int(1, precision);
        const unscaled = BigInt(Array.from({ length: digits }, () => rng.int(0, 9)).join('')) * (rng.next() < 0.5 ? -1n : 1n);
        const text = formatDecimal(unscaled, scale);
        const unit = 10n ** BigInt(scale);
        const abs = unscaled < 0n ? -unscaled : unscaled;
        const expected = `${unscaled < 0n ? '-' : ''}${abs / unit}${scale > 0 ? `.${(abs % unit).toString().padStart(scale, '0')}` : ''}`;
        expect(text).to.equal(expected);
        expect(accepted(parseDecimal(text, { precision, scale }), text)).to.equal(unscaled);
      }
    });
  });

  describe('checkDecimalType', () => {
    it('accepts decimal(1,0) to decimal(38,38) and refuses the rest', () => {
      for (const type of [{ precision: 1, scale: 0 }, { precision: 38, scale: 38 }, { precision: 12, scale: 2 }]) expect(() => checkDecimalType(type)).not.to.throw();
      const bad = [{ precision: 0, scale: 0 }, { precision: 39, scale: 2 }, { precision: 5, scale: 6 }, { precision: 5, scale: -1 }, { precision: 5.5, scale: 2 }, { precision: NaN, scale: 0 }];
      for (const type of bad) expect(() => checkDecimalType(type), JSON.stringify(type)).to.throw(RangeError);
    });
  });
});
