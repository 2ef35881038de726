// The ETL spec as a person writes it: what it accepts, and each mistake reported with its field.
import { expect } from 'chai';
import { parseEvent } from '../../../handlers/lib/validation';
import { etlSpecSchema, parseColumnType } from '../../../handlers/etl/spec';
import { thrown } from '../../support/thrown';
import { InvalidInput } from '../../../handlers/lib/errors';

const columns = { origin: 'string', delay: 'int', distance: 'float', price: 'decimal(12,2)', date: 'timestamp', carrier: 'string!' };

/** Every problem of a spec, as `field: message` lines. */
function problems(spec: unknown): string[] {
  const result = etlSpecSchema.safeParse(spec);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}

describe('handlers/etl/spec', () => {
  it('reads the example of the issue into typed columns, conditions, aggregates and rows', () => {
    const spec = etlSpecSchema.parse({
      columns,
      where: [{ column: 'distance', op: '>', value: 0 }],
      groupBy: ['origin'],
      aggregates: { flights: 'count', total_delay: 'sum(delay)', avg_delay: 'avg(delay)', min_delay: 'min(delay)', max_delay: 'max(delay)', carriers: 'count_distinct(carrier)' },
      rows: { format: 'parquet', select: ['date', 'origin', 'delay'] },
    });
    expect(spec.columns.map((c) => c.name)).to.deep.equal(['origin', 'delay', 'distance', 'price', 'date', 'carrier']);
    expect(spec.columns[3]!.type).to.deep.equal({ kind: 'decimal', nullable: true, precision: 12, scale: 2 });
    expect(spec.columns[5]!.type).to.deep.equal({ kind: 'string', nullable: false });
    expect(spec.aggregates).to.deep.equal([
      { name: 'flights', fn: 'count', column: null },
      { name: 'total_delay', fn: 'sum', column: 'delay' },
      { name: 'avg_delay', fn: 'avg', column: 'delay' },
      { name: 'min_delay', fn: 'min', column: 'delay' },
      { name: 'max_delay', fn: 'max', column: 'delay' },
      { name: 'carriers', fn: 'count_distinct', column: 'carrier' },
    ]);
    expect(spec.rows).to.deep.equal({ format: 'parquet', select: ['date', 'origin', 'delay'] });
  });

  it('takes count(*) as SQL does: the number of rows', () => {
    expect(etlSpecSchema.parse({ columns: { a: 'int' }, aggregates: { n: 'count(*)' } }).aggregates).to.deep.equal([{ name: 'n', fn: 'count', column: null }]);
  });

  it('defaults: no filter, no group-by (one global group), rows with every column when select is omitted', () => {
    const spec = etlSpecSchema.parse({ columns: { a: 'int', b: 'string' }, rows: {} });
    expect(spec).to.deep.equal({
      columns: [{ name: 'a', type: { kind: 'int', nullable: true } }, { name: 'b', type: { kind: 'string', nullable: true } }],
      where: [],
      groupBy: [],
      aggregates: [],
      rows: { format: 'parquet', select: ['a', 'b'] },
    });
  });

  it('parses every type, with ! for not null, and refuses what is not one', () => {
    expect(parseColumnType('bool!')).to.deep.equal({ kind: 'bool', nullable: false });
    expect(parseColumnType('date')).to.deep.equal({ kind: 'date', nullable: true });
    expect(parseColumnType('decimal( 38 , 0 )')).to.deep.equal({ kind: 'decimal', nullable: true, precision: 38, scale: 0 });
    expect(parseColumnType('decimal(39,2)')).to.match(/precision must be 1-38/);
    expect(parseColumnType('decimal(2,3)')).to.match(/scale 3 is larger than its precision 2/);
    expect(parseColumnType('integer')).to.match(/is not a type/);
    expect(parseColumnType('int!!')).to.match(/is not a type/);
  });

  it('names every bad field at once', () => {
    expect(
      problems({
        columns: { delay: 'int', origin: 'string', when: 'timestamp', size: 'bigint' },
        where: [
          { column: 'dist', op: '>', value: 0 },
          { column: 'delay', op: 'in', value: [] },
          { column: 'origin', op: '=', value: 3 },
          { column: 'delay', op: 'is_null', value: 1 },
          { column: 'when', op: '<' },
        ],
        groupBy: ['origin', 'origin', 'nope'],
        aggregates: { total: 'sum(origin)', n: 'median(delay)', star: 'sum(*)', avg: 'avg', origin: 'count', 'bad name': 'count' },
        rows: { select: ['delay', 'gone'] },
      }),
    ).to.deep.equal([
      'columns.size: "bigint" is not a type (string, int, float, decimal, bool, date, timestamp as decimal(p,s); add ! for not null)',
      'where.0.column: unknown column "dist" (columns: delay, origin, when, size)',
      'where.1.value: in needs a non-empty list of values',
      'where.2.value: must be a string to compare with a string column, got 3',
      'where.3.value: is_null takes no value',
      'where.4.value: < needs one value',
      'groupBy.1: "origin" is listed twice',
      'groupBy.2: unknown column "nope" (columns: delay, origin, when, size)',
      'aggregates.total: sum needs a numeric column (int, float, decimal); "origin" is string',
      'aggregates.n: "median(delay)" is not an aggregate (count, count(col), sum(col), avg(col), min(col), max(col), count_distinct(col), stddev(col))',
      'aggregates.star: unknown column "*" (columns: delay, origin, when, size)',
      'aggregates.avg: avg needs a column: avg(col)',
      'aggregates.origin: "origin" is also a group-by column: output columns must be unique',
      'aggregates.bad name: output names are letters, digits and _ (not starting with a digit)',
      'rows.select.1: unknown column "gone" (columns: delay, origin, when, size)',
    ]);
  });

  it('refuses misspelt keys, an empty column list, and a spec that asks for nothing', () => {
    expect(problems({ columns: { a: 'int' }, aggregates: { n: 'count' }, groupby: ['a'] })[0]).to.match(/groupby/);
    expect(problems({ columns: {}, aggregates: { n: 'count' } })).to.deep.equal(['columns: must name at least one column']);
    expect(problems({ columns: { a: 'int' } })).to.deep.equal(['aggregates: ask for at least one aggregate, or for rows']);
    expect(problems({ columns: { a: 'int' }, groupBy: ['a'], rows: {} })).to.deep.equal(['groupBy: a group-by needs at least one aggregate']);
  });

  it('as an event field, is an InvalidInput naming the fields by their paths', () => {
    const err = thrown(InvalidInput, () => parseEvent(etlSpecSchema, { columns: { a: 'int' }, aggregates: { s: 'sum(b)' } }));
    expect(err.message).to.contain('aggregates.s: unknown column "b" (columns: a)');
  });
});
