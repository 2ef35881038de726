import { expect } from 'chai';
import { InvalidInput } from '../../../handlers/lib/errors';
import { ColumnBuilder, LEVEL_TRACKING_LIMIT, MAX_LEVELS } from '../../../handlers/ml/dataset-columns';
import { thrown } from '../../support/thrown';

describe('handlers/ml/dataset-columns', () => {
  it('keeps a numeric column of more distinct values than it tracks as levels', () => {
    const b = new ColumnBuilder('x', 't.csv');
    for (let i = 0; i < LEVEL_TRACKING_LIMIT + 5; i++) b.push(String(i / 8), i + 2);
    const column = b.build();
    expect(column.kind).to.equal('numeric');
    if (column.kind === 'numeric') expect(column.values[LEVEL_TRACKING_LIMIT + 4]).to.equal((LEVEL_TRACKING_LIMIT + 4) / 8);
  });

  it('refuses a column that turns to text after passing the tracking limit, naming the row it passed the level limit', () => {
    const b = new ColumnBuilder('x', 't.csv');
    for (let i = 0; i < LEVEL_TRACKING_LIMIT + 5; i++) b.push(String(i), i + 2);
    b.push('oops', LEVEL_TRACKING_LIMIT + 7);
    const err = thrown(InvalidInput, () => b.build());
    expect(err.message).to.include('"x"').and.include(`more than ${LEVEL_TRACKING_LIMIT}`).and.include(`row ${MAX_LEVELS + 2}`);
  });

  it('refuses a text column past the tracking limit as soon as it gets there', () => {
    const b = new ColumnBuilder('id', 't.csv');
    for (let i = 0; i < LEVEL_TRACKING_LIMIT; i++) b.push(`u${i}`, i + 2);
    expect(thrown(InvalidInput, () => b.push('one more', 0)).message).to.include('"id"');
  });
});
