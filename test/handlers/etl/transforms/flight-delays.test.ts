// The flight-delays module, row by row, and the registry every module is listed in.
import { expect } from 'chai';
import { AGGREGATE_FUNCTIONS, declaredColumns } from '../../../../handlers/etl/spec';
import { FILTERED, Rejection } from '../../../../handlers/etl/row-transform';
import { EARLIEST_DELAY, flightDelays } from '../../../../handlers/etl/transforms/flight-delays';
import { TRANSFORMS } from '../../../../handlers/etl/transforms';

const flight = (delay: bigint | null, distance: bigint | null = 1000n, origin = 'ORD', destination = 'LAX') => flightDelays.map({ delay, distance, origin, destination });

function reason(out: unknown): string {
  expect(out).to.be.instanceOf(Rejection);
  return (out as Rejection).reason;
}

describe('handlers/etl/transforms/flight-delays', () => {
  it('derives the route, the delay bucket (FAA: on time within 15 minutes) and the delay per 100 miles', () => {
    expect(flight(33n, 2176n, 'LAS', 'PHL')).to.deep.equal({ route: 'LAS-PHL', delay_bucket: 'late', delay_per_100mi: 3300 / 2176 });
    const buckets = [-120n, -1n, 0n, 14n, 15n, 59n, 60n, 1688n].map((d) => (flight(d) as { delay_bucket: string }).delay_bucket);
    expect(buckets).to.deep.equal(['early', 'early', 'on time', 'on time', 'late', 'late', 'very late', 'very late']);
    expect((flight(-7n, 3n) as { delay_per_100mi: number }).delay_per_100mi).to.equal(-700 / 3);
  });

  it('filters out a flight without an arrival delay (cancelled or diverted)', () => {
    expect(flight(null)).to.equal(FILTERED);
  });

  it('rejects what cannot be a flight, saying why', () => {
    expect(reason(flight(5n, 0n))).to.equal('distance: 0 miles is not a flight');
    expect(reason(flight(5n, -3n))).to.equal('distance: -3 miles is not a flight');
    expect(reason(flight(5n, null))).to.equal('distance: missing');
    expect(reason(flight(5n, 100n, 'SFO', 'SFO'))).to.equal('origin and destination are both SFO');
    expect(reason(flight(EARLIEST_DELAY - 1n))).to.equal('delay: -121 minutes is more than 120 minutes early');
    // Impossible beats missing: a bad row is a reject even without a delay.
    expect(reason(flight(null, 0n))).to.equal('distance: 0 miles is not a flight');
  });

  it('is pure: the same row gives the same answer, and the row is not touched', () => {
    const row = Object.freeze({ delay: 12n, distance: 500n, origin: 'A', destination: 'B' });
    expect(flightDelays.map(row)).to.deep.equal(flightDelays.map(row));
  });
});

describe('handlers/etl/transforms (the registry)', () => {
  it('holds each module under its own name, with declarations that parse and aggregates that do not shadow built-ins', () => {
    expect([...TRANSFORMS.keys()]).to.include('flight-delays');
    for (const [name, module] of TRANSFORMS) {
      expect(module.name).to.equal(name);
      const reads = declaredColumns(module.reads).map((c) => c.name);
      const outputs = declaredColumns(module.outputs).map((c) => c.name);
      expect(outputs.filter((o) => reads.includes(o)), `${name}: outputs named like its inputs`).to.deep.equal([]);
      for (const fn of Object.keys(module.aggregates ?? {})) {
        expect(fn, name).to.match(/^[A-Za-z_][A-Za-z0-9_]*$/);
        expect((AGGREGATE_FUNCTIONS as readonly string[]).includes(fn), `${name}: ${fn} is a built-in`).to.equal(false);
      }
    }
  });
});
