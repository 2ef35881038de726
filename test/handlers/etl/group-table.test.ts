// GroupTable.add: groups found by their one value (no key built per row) are the groups the JSON key
// makes, and the table's byte estimate follows what its states grow by, so a partition knows when to
// write out.
import { expect } from 'chai';
import { aggregatePlan, GroupTable } from '../../../handlers/etl/group-table';
import type { EtlValue } from '../../../handlers/etl/parquet-values';
import { etlSpecSchema } from '../../../handlers/etl/spec';

// Sorted: the second column changes the keys' hashes, so the buckets.
const drained = (table: GroupTable) => [...table.drain(3).values()].flat().map((e) => JSON.stringify(e)).sort();

describe('handlers/etl/group-table GroupTable.add', () => {
  it('groups by one column as by the JSON key: -0 with 0, NaNs together, null apart, and the same after a drain', () => {
    const spec = (groupBy: string[]) =>
      etlSpecSchema.parse({ columns: { x: 'float', k: 'string', y: 'int' }, groupBy, aggregates: { n: 'count', s: 'sum(y)', d: 'count_distinct(k)' } });
    const rows: EtlValue[][] = [
      [0, 'a', 1n], [-0, 'b', 2n], [NaN, 'a', 3n], [NaN, 'c', 4n], [null, 'a', 5n], [1.5, null, 6n], [-0, 'a', 7n], [null, 'b', null],
    ];
    const one = new GroupTable(aggregatePlan(spec(['x'])));
    // Two columns take the JSON key path; a constant second column makes the same groups.
    const twoSpec = etlSpecSchema.parse({ columns: { x: 'float', c: 'string', k: 'string', y: 'int' }, groupBy: ['x', 'c'], aggregates: { n: 'count', s: 'sum(y)', d: 'count_distinct(k)' } });
    const two = new GroupTable(aggregatePlan(twoSpec));
    for (let round = 0; round < 2; round++) {
      for (const r of rows) {
        one.add(r);
        two.add([r[0]!, 'same', r[1]!, r[2]!]);
      }
      expect(one.size).to.equal(4);
      const a = drained(one);
      const b = drained(two).map((e) => e.replace(',"same"]', ']')).sort();
      expect(a).to.deep.equal(b);
      expect(a.map((e) => JSON.parse(e).states[0].n)).to.have.members([3, 2, 2, 1]);
      expect(one.size).to.equal(0);
    }
  });

  it('counts the bytes of new distinct values, not of repeats nor of groups, and none after a drain', () => {
    const table = new GroupTable(aggregatePlan(etlSpecSchema.parse({ columns: { g: 'string', k: 'string' }, groupBy: ['g'], aggregates: { d: 'count_distinct(k)' } })));
    expect(table.grownBytes).to.equal(0);
    table.add(['g1', 'value-1']);
    const one = table.grownBytes;
    // At least its characters, at most a few hundred bytes.
    expect(one).to.be.within(2 * 'value-1'.length, 300);
    table.add(['g1', 'value-1']);
    expect(table.grownBytes).to.equal(one);
    for (let i = 0; i < 1000; i++) table.add(['g1', `value-${i}`]);
    const grown = table.grownBytes;
    expect(grown).to.be.within(1000 * 2 * 7, 1000 * 300);
    // The same value in another group is another value held.
    table.add(['g2', 'value-1']);
    expect(table.grownBytes).to.equal(grown + one);
    table.drain(2);
    expect(table.grownBytes).to.equal(0);
  });
});
