// The price table: the dated defaults (DESIGN.md's figures), and a file laid over them field by field.
import { expect } from 'chai';
import { DEFAULT_PRICES, overlayPrices } from '../../../local/operate/prices';

describe('prices', () => {
  it('holds the us-east-1 list prices per unit', () => {
    expect(DEFAULT_PRICES.region).to.equal('us-east-1');
    expect(DEFAULT_PRICES.stepFunctions.perTransition * 1000).to.be.closeTo(0.025, 1e-12);
    expect(DEFAULT_PRICES.lambda.perRequest * 1e6).to.be.closeTo(0.2, 1e-12);
    expect(DEFAULT_PRICES.lambda.perGbSecond).to.deep.equal({ x86_64: 0.0000166667, arm64: 0.0000133334 });
    expect(DEFAULT_PRICES.s3.perPutOrList * 1000).to.be.closeTo(0.005, 1e-12);
    expect(DEFAULT_PRICES.s3.perGetOrOther * 1000).to.be.closeTo(0.0004, 1e-12);
    expect(DEFAULT_PRICES.dynamodb.perWriteUnit * 1e6).to.be.closeTo(0.625, 1e-12);
    expect(DEFAULT_PRICES.dynamodb.perReadUnit * 1e6).to.be.closeTo(0.125, 1e-12);
  });

  it('lays a partial table over the defaults', () => {
    const p = overlayPrices(DEFAULT_PRICES, { region: 'eu-west-1', lambda: { perGbSecond: { arm64: 0.00001 } } });
    expect(p.region).to.equal('eu-west-1');
    expect(p.lambda.perGbSecond).to.deep.equal({ x86_64: 0.0000166667, arm64: 0.00001 });
    expect(p.lambda.perRequest).to.equal(DEFAULT_PRICES.lambda.perRequest);
    expect(DEFAULT_PRICES.lambda.perGbSecond.arm64).to.equal(0.0000133334);
  });

  it('names the field of a bad override', () => {
    expect(() => overlayPrices(DEFAULT_PRICES, { s3: { perGet: 1 } }, 'p.json')).to.throw('p.json.s3.perGet is not a price field');
    expect(() => overlayPrices(DEFAULT_PRICES, { s3: { perPutOrList: -1 } }, 'p.json')).to.throw('p.json.s3.perPutOrList must be a number ≥ 0');
    expect(() => overlayPrices(DEFAULT_PRICES, { lambda: 3 }, 'p.json')).to.throw('p.json.lambda must be an object');
  });
});
