// The ETL spec as a person writes it: what it accepts, and each mistake reported with its field.
import { expect } from 'chai';
import { parseEvent } from '../../../handlers/lib/validation';
import { etlJobSchema } from '../../../handlers/etl/job-input';
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
    const columns = [{ name: 'a', type: { kind: 'int', nullable: true } }, { name: 'b', type: { kind: 'string', nullable: true } }];
    expect(spec).to.deep.equal({
      columns,
      transform: null,
      rowColumns: columns,
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
      'aggregates.n: "median(delay)" is not an aggregate (count, count(col), sum(col), avg(col), min(col), max(col), count_distinct(col), stddev(col); median comes with transform flight-delays)',
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

  describe('a transform module (handlers/etl/transforms/)', () => {
    const flights = { date: 'timestamp', delay: 'int', distance: 'int', origin: 'string!', destination: 'string!' };
    const outputs = ['route', 'delay_bucket', 'delay_per_100mi'];

    it('adds its outputs after the columns, and where, groupBy, aggregates and rows may name them', () => {
      const spec = etlSpecSchema.parse({
        columns: flights,
        transform: 'flight-delays',
        where: [{ column: 'delay_per_100mi', op: '<', value: 50 }],
        groupBy: ['delay_bucket'],
        aggregates: { n: 'count', routes: 'count_distinct(route)', worst: 'max(delay_per_100mi)' },
        rows: {},
      });
      expect(spec.transform).to.equal('flight-delays');
      expect(spec.columns.map((c) => c.name)).to.deep.equal(Object.keys(flights));
      expect(spec.rowColumns.map((c) => c.name)).to.deep.equal([...Object.keys(flights), ...outputs]);
      expect(spec.rowColumns.slice(-3).map((c) => c.type)).to.deep.equal([
        { kind: 'string', nullable: false },
        { kind: 'string', nullable: false },
        { kind: 'float', nullable: false },
      ]);
      expect(spec.rows!.select).to.deep.equal([...Object.keys(flights), ...outputs]);
    });

    it('takes a not-null column where the module reads a nullable one', () => {
      expect(problems({ columns: { ...flights, delay: 'int!' }, transform: 'flight-delays', aggregates: { n: 'count' } })).to.deep.equal([]);
    });

    it('names the field of each mismatch with what the module reads', () => {
      expect(problems({ columns: flights, transform: 'flight-speed', aggregates: { n: 'count' } })).to.deep.equal([
        'transform: unknown transform "flight-speed" (transforms: flight-delays)',
      ]);
      const { distance: _distance, ...withoutDistance } = flights;
      expect(
        problems({
          columns: { ...withoutDistance, delay: 'float', origin: 'string', route: 'string' },
          transform: 'flight-delays',
          groupBy: ['delay_bucket', 'distance'],
          aggregates: { n: 'count' },
        }),
      ).to.deep.equal([
        'columns.delay: transform flight-delays reads delay as int, not float',
        'columns: transform flight-delays reads distance (int): add it to columns',
        'columns.origin: transform flight-delays reads origin as string!, not string',
        'columns.route: "route" is also an output of transform flight-delays: column names must be unique',
        'groupBy.1: unknown column "distance" (columns: date, delay, origin, destination, route, delay_bucket, delay_per_100mi)',
      ]);
    });

    it('brings its aggregate functions, named like the built-in ones', () => {
      const spec = etlSpecSchema.parse({
        columns: flights,
        transform: 'flight-delays',
        groupBy: ['route'],
        aggregates: { n: 'count', m: 'median(delay)', m_rate: 'median( delay_per_100mi )', top: 'max(delay)' },
      });
      expect(spec.aggregates).to.deep.equal([
        { name: 'n', fn: 'count', column: null },
        { name: 'm', fn: 'median', module: 'flight-delays', column: 'delay' },
        { name: 'm_rate', fn: 'median', module: 'flight-delays', column: 'delay_per_100mi' },
        { name: 'top', fn: 'max', column: 'delay' },
      ]);
      expect(problems({ columns: flights, transform: 'flight-delays', aggregates: { a: 'median(route)', b: 'median', c: 'median(*)', d: 'mode(delay)', e: 'median(gone)' } })).to.deep.equal([
        'aggregates.a: median needs a column of int or float; "route" is string',
        'aggregates.b: median needs a column: median(col)',
        'aggregates.c: median needs a column: median(col)',
        'aggregates.d: "mode(delay)" is not an aggregate (count, count(col), sum(col), avg(col), min(col), max(col), count_distinct(col), stddev(col), median(col))',
        'aggregates.e: unknown column "gone" (columns: date, delay, distance, origin, destination, route, delay_bucket, delay_per_100mi)',
      ]);
    });

    it('has no outputs to name without the transform', () => {
      expect(problems({ columns: flights, groupBy: ['route'], aggregates: { n: 'count' } })).to.deep.equal([
        'groupBy.0: unknown column "route" (columns: date, delay, distance, origin, destination)',
      ]);
    });

    it('in a job\'s input, an unknown transform is an InvalidInput naming spec.transform', () => {
      const job = { jobId: 'j1', input: { key: 'jobs/j1/input/f.csv' }, spec: { columns: flights, transform: 'nope', aggregates: { n: 'count' } } };
      const err = thrown(InvalidInput, () => parseEvent(etlJobSchema, job));
      expect(err.message).to.contain('spec.transform: unknown transform "nope" (transforms: flight-delays)');
    });
  });
});
