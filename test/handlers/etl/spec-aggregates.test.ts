// A spec's aggregates resolved, built-in or its module's, over the rows after the transform: what the
// partitions accumulate, the reduce merges and the report types its columns with.
import { expect } from 'chai';
import { aggregatePlan, GroupTable } from '../../../handlers/etl/group-table';
import { outputColumns } from '../../../handlers/etl/output-columns';
import { etlSpecSchema } from '../../../handlers/etl/spec';
import { specTransform } from '../../../handlers/etl/spec-transform';
import type { EtlValue } from '../../../handlers/etl/parquet-values';

const spec = etlSpecSchema.parse({
  columns: { delay: 'int', distance: 'int', origin: 'string!', destination: 'string!' },
  transform: 'flight-delays',
  groupBy: ['delay_bucket'],
  aggregates: { n: 'count', m: 'median(delay)', rate: 'median(delay_per_100mi)', worst: 'max(delay_per_100mi)' },
});

describe('handlers/etl/spec-aggregates', () => {
  it('types the output columns of module aggregates and of built-ins over derived columns', () => {
    expect(outputColumns(spec)).to.deep.equal([
      { name: 'delay_bucket', type: { kind: 'string', nullable: false } },
      { name: 'n', type: { kind: 'int', nullable: false } },
      { name: 'm', type: { kind: 'float', nullable: true } },
      { name: 'rate', type: { kind: 'float', nullable: true } },
      { name: 'worst', type: { kind: 'float', nullable: true } },
    ]);
  });

  it('accumulates the transformed rows by group, each aggregate over its own column', () => {
    const plan = aggregatePlan(spec);
    expect(plan.aggregates.map((a) => a.name)).to.deep.equal(['count(*)', 'median(int)', 'median(float)', 'max(float)']);
    const transform = specTransform(spec);
    const table = new GroupTable(plan);
    for (const [delay, distance] of [[20n, 100n], [30n, 300n], [40n, 400n], [-5n, 50n], [25n, 100n]] as const) {
      table.add(transform.apply([delay, distance, 'A', 'B']) as readonly EtlValue[]);
    }
    const late = [...table.drain(1).values()].flat().find((e) => JSON.stringify(e.group) === '["late"]')!;
    const results = late.states.map((s, i) => plan.aggregates[i]!.fromJSON(s).result());
    // late: delays 20, 30, 40, 25 at 20, 10, 10, 25 minutes per 100 miles.
    expect(results).to.deep.equal([4, 27.5, 15, 25]);
  });
});
