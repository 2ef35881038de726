import { expect } from 'chai';
import { InternalError } from '../../../handlers/lib/errors';
import { parseTransformState } from '../../../handlers/etl/transform-state';

const KEY = 'jobs/j/work/transform/00003/checkpoint.json';
const good = {
  position: 1_048_576,
  row: 20_001,
  counts: { rowsIn: 20_000, rowsOut: 19_990, rowsFiltered: 7, rowsRejected: 3 },
  partials: [{ bucket: 0, key: 'jobs/j/work/partials/b000/p00003-0001.ndjson' }],
  rows: [],
  rejects: ['jobs/j/work/rejects/p00003-0001.json'],
};

describe('parseTransformState: a checkpoint read back is checked before it is resumed', () => {
  it('returns a state as the transform wrote it', () => {
    expect(parseTransformState(JSON.parse(JSON.stringify(good)), KEY)).to.deep.equal(good);
  });

  for (const [what, state] of [
    ['a position that is not a byte offset', { ...good, position: -1 }],
    ['a fractional row number', { ...good, row: 2.5 }],
    ['a count missing', { ...good, counts: { rowsIn: 1, rowsOut: 1, rowsFiltered: 0 } }],
    ['a partial without its bucket', { ...good, partials: [{ key: 'x' }] }],
    ['a field this code does not know', { ...good, cursor: 7 }],
    ['not an object at all', 'resume here'],
  ] as const) {
    it(`refuses ${what}, naming the checkpoint`, () => {
      let caught: unknown;
      try {
        parseTransformState(state, KEY);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(InternalError);
      expect((caught as Error).message).to.contain(KEY).and.contain('this code can resume');
    });
  }
});
