import { expect } from 'chai';
import { isMissing, levelOf, numberOf, parseNumber } from '../../../handlers/ml/dataset-values';

describe('handlers/ml/dataset-values', () => {
  it('reads decimal text as numbers, and nothing looser than decimal', () => {
    expect(parseNumber('12')).to.equal(12);
    expect(parseNumber(' -1.5e3 ')).to.equal(-1500);
    expect(parseNumber('.5')).to.equal(0.5);
    expect(parseNumber('7.')).to.equal(7);
    for (const text of ['0x1F', '1,5', '12a', '--1', 'e5', '1e', 'true', 'Adelie']) expect(parseNumber(text), text).to.equal(undefined);
  });

  it('reads NaN and infinities spelled out as such, so they can be refused by name', () => {
    expect(parseNumber('NaN')).to.be.NaN;
    expect(parseNumber('nan')).to.be.NaN;
    expect(parseNumber('Infinity')).to.equal(Infinity);
    expect(parseNumber('-inf')).to.equal(-Infinity);
    expect(parseNumber('+INF')).to.equal(Infinity);
  });

  it('treats empty, null, NA and "." (penguins.json\'s unknown sex) as missing, after trimming', () => {
    for (const v of [null, undefined, '', '  ', 'NA', ' . ']) expect(isMissing(v), String(v)).to.equal(true);
    for (const v of ['na', 'N/A', '0', 0, false, 'MALE']) expect(isMissing(v), String(v)).to.equal(false);
  });

  it('gives a typed number and its text the same level, and booleans 1/0 as numbers', () => {
    expect(levelOf(4)).to.equal(levelOf(' 4 '));
    expect(levelOf(4n)).to.equal('4');
    expect(levelOf(true)).to.equal('true');
    expect(numberOf(true)).to.equal(1);
    expect(numberOf(12n)).to.equal(12);
  });
});
