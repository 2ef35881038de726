// US flights (vega-datasets' flights-*: date, delay, distance, origin, destination): each flight's route,
// its delay bucket and its delay per 100 miles, with median as an aggregate. A flight without an arrival
// delay (cancelled or diverted) is filtered out; one that cannot have happened is rejected, with why.
import { median } from '../aggregate/exact-median';
import { defineTransform, FILTERED, reject } from '../row-transform';

/** More than two hours early is not an arrival but a data error (flights-3m has 3 of them). */
export const EARLIEST_DELAY = -120n;

/** On time is within 15 minutes, as the FAA counts it. */
function delayBucket(delay: bigint): string {
  if (delay < 0n) return 'early';
  if (delay < 15n) return 'on time';
  if (delay < 60n) return 'late';
  return 'very late';
}

export const flightDelays = defineTransform({
  name: 'flight-delays',
  description: 'flights: route ("ORD-LAX"), delay_bucket (early, on time, late, very late) and delay_per_100mi; median(col)',
  reads: { delay: 'int', distance: 'int', origin: 'string!', destination: 'string!' },
  outputs: { route: 'string!', delay_bucket: 'string!', delay_per_100mi: 'float!' },
  map(row) {
    if (row.distance === null) return reject('distance: missing');
    if (row.distance <= 0n) return reject(`distance: ${row.distance} miles is not a flight`);
    if (row.origin === row.destination) return reject(`origin and destination are both ${row.origin}`);
    if (row.delay === null) return FILTERED;
    if (row.delay < EARLIEST_DELAY) return reject(`delay: ${row.delay} minutes is more than ${-EARLIEST_DELAY} minutes early`);
    return {
      route: `${row.origin}-${row.destination}`,
      delay_bucket: delayBucket(row.delay),
      // Both exact as doubles: one rounding, the one SQL's delay * 100 / distance makes.
      delay_per_100mi: Number(row.delay * 100n) / Number(row.distance),
    };
  },
  aggregates: { median },
});
