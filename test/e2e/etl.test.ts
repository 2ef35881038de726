// The ETL pipeline end to end: asl/etl.asl.json on our engine, every task in its own Lambda worker,
// against local S3 and DynamoDB. Every figure is checked against something the pipeline did not
// compute: DuckDB running the same query on the same file, what the data generator says it wrote, or
// the same job cut into another number of partitions.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { getJob } from '../../handlers/lib/progress';
import { head, listKeys } from '../../handlers/lib/s3';
import { SALES_COLUMNS, writeSalesCsv, type SalesFile } from '../../local/data/sales-generator';
import { duckRows, useDuckDb } from '../support/duckdb';
import {
  csvObjects,
  duckColumns,
  expectClose,
  failureOf,
  MB,
  parquetList,
  payloadsOf,
  publishedKeys,
  readReport,
  rowParts,
  runEtl,
  sql,
  succeeded,
  useEtlStack,
  type EtlRun,
} from '../support/etl';

const dir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-etl-'));
const vega = join(process.cwd(), 'node_modules/vega-datasets/data');

/** Partition size giving exactly `n` byte ranges of a `size`-byte file (each far longer than a row). */
const partitionMbFor = (size: number, n: number) => (Math.ceil(size / n) + 1) / MB;

/** The query every sales test asks, as the pipeline's spec. */
const salesSpec = {
  columns: SALES_COLUMNS,
  where: [
    { column: 'returned', op: '=', value: false },
    { column: 'discount', op: '<', value: 0.25 },
  ],
  groupBy: ['region'],
  aggregates: {
    orders: 'count',
    priced: 'count(quantity)',
    units: 'sum(quantity)',
    revenue: 'sum(unit_price)',
    avg_discount: 'avg(discount)',
    sd_discount: 'stddev(discount)',
    avg_price: 'avg(unit_price)',
    sd_price: 'stddev(unit_price)',
    avg_units: 'avg(quantity)',
    first_order: 'min(order_date)',
    last_order: 'max(order_date)',
    first_product: 'min(product)',
    last_product: 'max(product)',
    customers: 'count_distinct(customer)',
    products: 'count_distinct(product)',
  },
  rows: { select: ['order_id', 'order_date', 'region', 'product', 'quantity', 'unit_price', 'discount'] },
};

/** The same query in DuckDB: exact figures as text, floats as doubles. */
const salesWhere = 'returned = false and discount < 0.25';
const salesQuery = (csv: string) => `
  select region,
    count(*)::VARCHAR orders, count(quantity)::VARCHAR priced, sum(quantity)::VARCHAR units, sum(unit_price)::VARCHAR revenue,
    avg(discount) avg_discount, stddev_samp(discount) sd_discount, avg(unit_price)::DOUBLE avg_price,
    stddev_samp(unit_price::DOUBLE) sd_price, avg(quantity) avg_units,
    min(order_date)::VARCHAR first_order, max(order_date)::VARCHAR last_order, min(product) first_product, max(product) last_product,
    count(distinct customer)::VARCHAR customers, count(distinct product)::VARCHAR products
  from ${salesCsv(csv)} where ${salesWhere} group by region order by region`;
const SALES_FLOATS = ['avg_discount', 'sd_discount', 'avg_price', 'sd_price', 'avg_units'];

function salesCsv(path: string): string {
  return `read_csv(${sql(path)}, header = true, delim = ',', quote = '"', escape = '"', timestampformat = '%Y-%m-%d %H:%M:%S', columns = ${duckColumns(SALES_COLUMNS)})`;
}

/**
 * aggregates.csv against DuckDB's rows of the same query: every column as text (DuckDB's nulls as empty
 * fields), but `floats` as numbers within 1e-12 relative.
 */
function expectSameAggregates(actual: Record<string, string>[], expected: Record<string, unknown>[], floats: readonly string[]): void {
  expect(actual.map((r) => Object.keys(r))[0]).to.deep.equal(Object.keys(expected[0]!));
  expect(actual).to.have.lengthOf(expected.length);
  expected.forEach((want, i) => {
    const got = actual[i]!;
    for (const [column, value] of Object.entries(want)) {
      const what = `row ${i + 1} (${String(Object.values(want)[0])}), ${column}`;
      if (floats.includes(column)) expectClose(got[column] === '' ? null : Number(got[column]), value as number | null, 1e-12, what);
      else expect(got[column], what).to.equal(value === null ? '' : String(value));
    }
  });
}

describe('ETL pipeline end to end (engine + Lambda workers + local S3/DynamoDB)', function () {
  this.timeout(120_000);
  const localStack = useEtlStack();
  const duck = useDuckDb();
  after(() => rm(dir, { recursive: true, force: true }));

  // The clean sales file and its runs are shared: a run is made the first time a test asks for it.
  const CLEAN_ROWS = 3_000;
  const cleanCsv = join(dir, 'sales-clean.csv');
  let cleanFile: Promise<SalesFile> | undefined;
  const cleanRuns = new Map<number, Promise<EtlRun & { outDir: string }>>();
  function cleanRun(partitions: number) {
    let run = cleanRuns.get(partitions);
    if (!run) {
      run = (async () => {
        const file = await (cleanFile ??= writeSalesCsv(cleanCsv, { rows: CLEAN_ROWS, seed: 11 }));
        const outDir = join(dir, `clean-${partitions}`);
        const settings = { partitionMb: partitionMbFor(file.bytes, partitions) };
        return { ...(await runEtl(localStack(), { input: cleanCsv, spec: salesSpec, settings, outDir })), outDir };
      })();
      cleanRuns.set(partitions, run);
    }
    return run;
  }

  describe('results do not depend on how the file is cut', () => {
    it('1, 3 and 17 partitions of the same file give byte-identical aggregates, reports and rows', async () => {
      const runs = [await cleanRun(1), await cleanRun(3), await cleanRun(17)];
      expect(runs.map((r) => succeeded(r).report.partitions)).to.deep.equal([1, 3, 17]);
      const reports = await Promise.all(runs.map((r) => readReport(r.outDir)));
      expect(reports.map((r) => r.partitions)).to.deep.equal([1, 3, 17]);
      expect(new Set(runs.map((r) => r.jobId)).size, 'settings differ, so do the derived job ids').to.equal(3);

      const [one, ...others] = await Promise.all(runs.map((r) => readFile(join(r.outDir, 'aggregates.csv'))));
      for (const other of others) expect(other.equals(one!), other.toString()).to.equal(true);
      for (const report of reports) expect({ ...report, partitions: 0 }).to.deep.equal({ ...reports[0]!, partitions: 0 });
      expect(reports[0]).to.include({ rowsIn: CLEAN_ROWS, rowsRejected: 0, format: 'csv' });
      // The live figures, added by every partition's turns, end as the report's totals.
      for (const run of runs) expect((await getJob(run.jobId))!.figures, run.jobId).to.deep.equal({ rowsIn: CLEAN_ROWS, rowsRejected: 0 });

      // The rows parts, read in part order, hold the kept rows in file order whatever the cut.
      const expectedIds = (await duckRows(duck(), `select order_id from ${salesCsv(cleanCsv)} where ${salesWhere}`)).map((r) => r.order_id);
      for (const run of runs) {
        const parts = await rowParts(run.outDir);
        expect(parts).to.have.lengthOf(run.output!.report.partitions);
        const ids = (await duckRows(duck(), `select order_id from read_parquet(${parquetList(parts)})`)).map((r) => r.order_id);
        expect(ids).to.deep.equal(expectedIds);
      }
    });

    it('a hostile CSV cut every 52 bytes, edges inside quoted newlines, "" and multi-byte characters, gives the aggregates of one partition', async () => {
      const path = join(dir, 'hostile.csv');
      const fields = await writeHostileCsv(path);
      // Ranges are at most 52 bytes long, so some edge falls inside every field of 104 bytes or more.
      const rangeBytes = Math.round(0.00005 * MB);
      for (const long of LONG_NOTES) expect(fields.some((f) => f === csvField(long) && Buffer.byteLength(f) >= 2 * rangeBytes), JSON.stringify(long)).to.equal(true);
      const whole = await runEtl(localStack(), { input: path, spec: hostileSpec, settings: { partitionMb: 1 }, outDir: join(dir, 'hostile-1') });
      const cut = await runEtl(localStack(), { input: path, spec: hostileSpec, settings: { partitionMb: 0.00005 }, outDir: join(dir, 'hostile-cut') });
      expect(succeeded(whole).report.partitions).to.equal(1);
      // About one partition a range: only a range inside one quoted field starts no row.
      expect(succeeded(cut).report.partitions).to.be.at.least(HOSTILE_ROWS / 2);
      expect(succeeded(cut).report).to.include({ rowsIn: HOSTILE_ROWS, rowsOut: HOSTILE_ROWS, rowsRejected: 0 });
      const [a, b] = await Promise.all([readFile(join(dir, 'hostile-1', 'aggregates.csv')), readFile(join(dir, 'hostile-cut', 'aggregates.csv'))]);
      expect(b.toString()).to.equal(a.toString());
      expect({ ...cut.output!.report, partitions: 0 }).to.deep.equal({ ...whole.output!.report, partitions: 0 });

      // And both are what DuckDB reads in the same file.
      const expected = await duckRows(
        duck(),
        `select grp, count(*)::VARCHAR n, count(note)::VARCHAR notes, sum(amount)::VARCHAR total, avg(x) avg_x, min(note) first_note, max(note) last_note, sum(id)::VARCHAR ids
         from read_csv(${sql(path)}, header = true, delim = ',', quote = '"', escape = '"', columns = ${duckColumns(hostileSpec.columns)})
         group by grp order by grp`,
      );
      expectSameAggregates(await csvObjects(join(dir, 'hostile-cut', 'aggregates.csv')), expected, ['avg_x']);
    });
  });

  describe('DuckDB as the oracle', () => {
    it('generated sales: every aggregate as DuckDB computes it, ints and decimals exactly, floats within 1e-12', async () => {
      const run = await cleanRun(3);
      succeeded(run);
      const expected = await duckRows(duck(), salesQuery(cleanCsv));
      expect(expected).to.have.lengthOf(12);
      expectSameAggregates(await csvObjects(join(run.outDir, 'aggregates.csv')), expected, SALES_FLOATS);

      // aggregates.parquet: typed columns holding the same values.
      const parquet = sql(join(run.outDir, 'aggregates.parquet'));
      const types = Object.fromEntries((await duckRows(duck(), `describe select * from read_parquet(${parquet})`)).map((r) => [r.column_name, r.column_type]));
      expect(types).to.deep.include({ region: 'VARCHAR', orders: 'BIGINT', units: 'BIGINT', revenue: 'DECIMAL(38,2)', avg_discount: 'DOUBLE', first_product: 'VARCHAR' });
      expect(String(types.first_order)).to.match(/^TIMESTAMP/);
      const fromParquet = await duckRows(
        duck(),
        `select region, orders::VARCHAR orders, priced::VARCHAR priced, units::VARCHAR units, revenue::VARCHAR revenue, avg_discount, sd_discount, avg_price, sd_price, avg_units,
           first_order::TIMESTAMP::VARCHAR first_order, last_order::TIMESTAMP::VARCHAR last_order, first_product, last_product, customers::VARCHAR customers, products::VARCHAR products
         from read_parquet(${parquet})`,
      );
      expectSameAggregates(fromParquet.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : String(v)]))), expected, SALES_FLOATS);

      // rows/: exactly the rows the where keeps, typed.
      const parts = parquetList(await rowParts(run.outDir));
      const [rows] = await duckRows(duck(), `select count(*)::VARCHAR n, sum(unit_price)::VARCHAR price, sum(quantity)::VARCHAR qty, sum(discount) discount from read_parquet(${parts})`);
      const [want] = await duckRows(duck(), `select count(*)::VARCHAR n, sum(unit_price)::VARCHAR price, sum(quantity)::VARCHAR qty, sum(discount) discount from ${salesCsv(cleanCsv)} where ${salesWhere}`);
      expect({ ...rows, discount: 0 }).to.deep.equal({ ...want, discount: 0 });
      expectClose(rows!.discount as number, want!.discount as number, 1e-12, 'sum(discount)');
      const rowTypes = Object.fromEntries((await duckRows(duck(), `describe select * from read_parquet(${parts})`)).map((r) => [r.column_name, r.column_type]));
      expect(rowTypes).to.deep.equal({
        order_id: 'BIGINT',
        order_date: 'TIMESTAMP WITH TIME ZONE',
        region: 'VARCHAR',
        product: 'VARCHAR',
        quantity: 'BIGINT',
        unit_price: 'DECIMAL(10,2)',
        discount: 'DOUBLE',
      });
      const columns = salesSpec.rows.select.join(', ');
      const [difference] = await duckRows(
        duck(),
        `with got as (select * replace (order_date::TIMESTAMP as order_date) from read_parquet(${parts})),
              want as (select ${columns} from ${salesCsv(cleanCsv)} where ${salesWhere})
         select (select count(*) from (from got except all from want))::INTEGER extra, (select count(*) from (from want except all from got))::INTEGER missing`,
      );
      expect(difference).to.deep.equal({ extra: 0, missing: 0 });
    });

    it('real CSV (birdstrikes.csv): filtered, grouped and kept rows as DuckDB reads them', async () => {
      const spec = {
        columns: { 'Airport Name': 'string', 'Flight Date': 'date', 'Origin State': 'string', 'Wildlife Size': 'string', 'Cost Total $': 'int', 'Speed IAS in knots': 'int' },
        where: [{ column: 'Speed IAS in knots', op: '>=', value: 100 }],
        groupBy: ['Origin State', 'Wildlife Size'],
        aggregates: { strikes: 'count' },
        rows: { select: ['Flight Date', 'Origin State', 'Cost Total $', 'Speed IAS in knots'] },
      };
      const input = join(vega, 'birdstrikes.csv');
      const outDir = join(dir, 'birdstrikes');
      const run = await runEtl(localStack(), { input, spec, settings: { partitionMb: partitionMbFor((await stat(input)).size, 4) }, outDir });
      const csv = `read_csv(${sql(input)}, header = true, types = ${duckColumns(spec.columns)})`;
      const where = '"Speed IAS in knots" >= 100';
      const [counts] = await duckRows(duck(), `select count(*)::INTEGER n_all, count(*) filter (where ${where})::INTEGER n_kept from ${csv}`);
      expect(succeeded(run).report).to.include({ rowsIn: counts!.n_all, rowsOut: counts!.n_kept, rowsRejected: 0, partitions: 4 });

      const expected = await duckRows(
        duck(),
        `select "Origin State", "Wildlife Size", count(*)::VARCHAR strikes
         from ${csv} where ${where} group by all order by "Origin State" nulls last, "Wildlife Size" nulls last`,
      );
      expect(expected.length).to.be.above(30);
      expectSameAggregates(await csvObjects(join(outDir, 'aggregates.csv')), expected, []);

      const parts = parquetList(await rowParts(outDir));
      const figures = `count(*)::VARCHAR AS n, sum("Cost Total $")::VARCHAR AS total_cost, sum("Speed IAS in knots")::VARCHAR AS speed, min("Flight Date")::VARCHAR AS first_date, max("Flight Date")::VARCHAR AS last_date`;
      const [got] = await duckRows(duck(), `select ${figures} from read_parquet(${parts})`);
      const [want] = await duckRows(duck(), `select ${figures} from ${csv} where ${where}`);
      expect(got).to.deep.equal(want);
    });

    it('real CSV (birdstrikes.csv): aggregates of columns whose names hold spaces, as DuckDB computes them', async () => {
      const spec = {
        columns: { 'Origin State': 'string', 'Flight Date': 'date', 'Cost Total $': 'int', 'Speed IAS in knots': 'int' },
        groupBy: ['Origin State'],
        aggregates: { strikes: 'count', total_cost: 'sum(Cost Total $)', speed: 'avg(Speed IAS in knots)', first_strike: 'min(Flight Date)' },
      };
      const input = join(vega, 'birdstrikes.csv');
      const outDir = join(dir, 'birdstrikes-sums');
      const run = await runEtl(localStack(), { input, spec, outDir });
      succeeded(run);
      const expected = await duckRows(
        duck(),
        `select "Origin State", count(*)::VARCHAR strikes, sum("Cost Total $")::VARCHAR AS total_cost, avg("Speed IAS in knots") AS speed, min("Flight Date")::VARCHAR AS first_strike
         from read_csv(${sql(input)}, header = true, types = ${duckColumns(spec.columns)}) group by all order by "Origin State" nulls last`,
      );
      expectSameAggregates(await csvObjects(join(outDir, 'aggregates.csv')), expected, ['speed']);
    });

    it('real Parquet (60,000 flights in 3 row groups): grouped by origin as DuckDB computes it', async () => {
      const input = join(dir, 'flights-60k.parquet');
      await duck().run(`copy (select * from read_parquet(${sql(join(vega, 'flights-3m.parquet'))}) limit 60000) to ${sql(input)} (format parquet, row_group_size 20000)`);
      const [groups] = await duckRows(duck(), `select count(distinct row_group_id)::INTEGER n from parquet_metadata(${sql(input)})`);
      const spec = {
        columns: { date: 'timestamp', delay: 'int', distance: 'int', origin: 'string' },
        groupBy: ['origin'],
        aggregates: { flights: 'count', delay: 'sum(delay)', distance: 'avg(distance)', first_date: 'min(date)', last_date: 'max(date)' },
      };
      const outDir = join(dir, 'flights');
      const run = await runEtl(localStack(), { input, spec, outDir });
      expect(succeeded(run).report).to.include({ rowsIn: 60_000, rowsOut: 60_000, partitions: groups!.n, format: 'parquet' });
      const expected = await duckRows(
        duck(),
        `select origin, count(*)::VARCHAR flights, sum(delay)::VARCHAR delay, avg(distance) distance, min(date)::VARCHAR first_date, max(date)::VARCHAR last_date
         from read_parquet(${sql(input)}) group by origin order by origin`,
      );
      expect(expected.length).to.be.above(100);
      expectSameAggregates(await csvObjects(join(outDir, 'aggregates.csv')), expected, ['distance']);
    });

    it('a TypeScript transform module (flight-delays): derived columns, its rejects and its median, as DuckDB computes them in SQL', async () => {
      // 4,000 real flights as CSV, with rows the module must reject or drop put in at known places.
      const input = join(dir, 'flights-module.csv');
      await duck().run(`copy (select * from read_parquet(${sql(join(vega, 'flights-3m.parquet'))}) limit 4000) to ${sql(input)} (header)`);
      const lines = (await readFile(input, 'utf8')).trimEnd().split('\n');
      const injected = [
        { at: 700, line: '2001-01-02 08:00:00,5,0,ORD,LAX', reason: 'distance: 0 miles is not a flight' },
        { at: 1500, line: '2001-01-02 09:00:00,12,300,SFO,SFO', reason: 'origin and destination are both SFO' },
        { at: 2600, line: '2001-01-02 10:00:00,,300,ORD,LAX', reason: null },
        { at: 3300, line: '2001-01-02 11:00:00,-500,300,ORD,LAX', reason: 'delay: -500 minutes is more than 120 minutes early' },
      ];
      for (const { at, line } of injected) lines.splice(at, 0, line);
      await writeFile(input, `${lines.join('\n')}\n`);
      const columns = { date: 'timestamp', delay: 'int', distance: 'int', origin: 'string!', destination: 'string!' };
      const spec = {
        columns,
        transform: 'flight-delays',
        where: [{ column: 'delay_bucket', op: '!=', value: 'on time' }],
        groupBy: ['delay_bucket'],
        aggregates: {
          flights: 'count',
          routes: 'count_distinct(route)',
          total_delay: 'sum(delay)',
          median_delay: 'median(delay)',
          median_rate: 'median(delay_per_100mi)',
          avg_rate: 'avg(delay_per_100mi)',
          max_rate: 'max(delay_per_100mi)',
        },
        rows: { select: ['date', 'route', 'delay_bucket', 'delay_per_100mi'] },
      };
      const outDir = join(dir, 'flights-module');
      const settings = { partitionMb: partitionMbFor((await stat(input)).size, 3), maxRejectPercent: 1 };
      const run = await runEtl(localStack(), { input, spec, settings, outDir });
      const report = succeeded(run).report;

      // The module's rules, written again in SQL: what it keeps, and the columns it derives.
      const flights = `read_csv(${sql(input)}, header = true, timestampformat = '%Y-%m-%d %H:%M:%S', columns = ${duckColumns(columns)})`;
      const derived = `(select *, origin || '-' || destination route,
          case when delay < 0 then 'early' when delay < 15 then 'on time' when delay < 60 then 'late' else 'very late' end delay_bucket,
          delay * 100 / distance delay_per_100mi
        from ${flights} where distance > 0 and origin <> destination and delay is not null and delay >= -120)`;
      const [counts] = await duckRows(duck(), `select count(*)::INTEGER n_all, (select count(*)::INTEGER from ${derived} where delay_bucket <> 'on time') n_out from ${flights}`);
      expect(report).to.include({ rowsIn: counts!.n_all, rowsOut: counts!.n_out, rowsRejected: 3, partitions: 3 });
      expect(report.rowsFiltered).to.equal((counts!.n_all as number) - (counts!.n_out as number) - 3);

      const expected = await duckRows(
        duck(),
        `select delay_bucket, count(*)::VARCHAR flights, count(distinct route)::VARCHAR routes, sum(delay)::VARCHAR total_delay,
           median(delay)::DOUBLE median_delay, median(delay_per_100mi) median_rate, avg(delay_per_100mi) avg_rate, max(delay_per_100mi) max_rate
         from ${derived} where delay_bucket <> 'on time' group by delay_bucket order by delay_bucket`,
      );
      expect(expected.map((r) => r.delay_bucket)).to.deep.equal(['early', 'late', 'very late']);
      expectSameAggregates(await csvObjects(join(outDir, 'aggregates.csv')), expected, ['median_delay', 'median_rate', 'avg_rate', 'max_rate']);
      const types = Object.fromEntries((await duckRows(duck(), `describe select * from read_parquet(${sql(join(outDir, 'aggregates.parquet'))})`)).map((r) => [r.column_name, r.column_type]));
      expect(types).to.deep.include({ delay_bucket: 'VARCHAR', median_delay: 'DOUBLE', median_rate: 'DOUBLE' });

      // rejects.csv: the module's reasons, at the rows they were put in (the header is row 1).
      const rejects = await csvObjects(join(outDir, 'rejects.csv'));
      const wanted = injected.filter((i) => i.reason !== null);
      expect(rejects.map((r) => [Number(r.row), r.reason, r.raw])).to.deep.equal(wanted.map((i) => [i.at + 1, i.reason, i.line]));

      // rows/: the derived columns of exactly the rows kept.
      const parts = parquetList(await rowParts(outDir));
      const [difference] = await duckRows(
        duck(),
        `with got as (select * replace (date::TIMESTAMP as date) from read_parquet(${parts})),
              want as (select date, route, delay_bucket, delay_per_100mi from ${derived} where delay_bucket <> 'on time')
         select (select count(*) from got)::INTEGER n, (select count(*) from (from got except all from want))::INTEGER extra, (select count(*) from (from want except all from got))::INTEGER missing`,
      );
      expect(difference).to.deep.equal({ n: counts!.n_out, extra: 0, missing: 0 });
    });
  });

  describe('rejected rows', () => {
    const dirtyCsv = join(dir, 'sales-dirty.csv');
    let dirty: SalesFile;
    before(async () => {
      dirty = await writeSalesCsv(dirtyCsv, { rows: 3_000, seed: 5, dirty: true, dirtyEvery: 40 });
    });

    /** The reason each defect must be rejected with: the field count, or the column that does not parse. */
    const REASONS = {
      ragged: /^8 fields, the header has 9$/,
      'extra-field': /^10 fields, the header has 9$/,
      'bad-int': /^quantity: "12x"/,
      'bad-decimal': /^unit_price: "12\.3\.4"/,
      'invalid-utf8': /^product: invalid UTF-8/,
      'bad-timestamp': /^order_date: "2024-13-45 99:00:00"/,
    };

    it('rejects.csv lists exactly the generator\'s defect rows, by their row number in the file, each with its reason', async () => {
      expect(dirty.defects.length).to.be.within(40, 120);
      expect(new Set(dirty.defects.map((d) => d.defect)).size).to.equal(Object.keys(REASONS).length);
      const outDir = join(dir, 'dirty');
      const run = await runEtl(localStack(), { input: dirtyCsv, spec: salesSpec, settings: { partitionMb: partitionMbFor(dirty.bytes, 4), maxRejectPercent: 5 }, outDir });
      const report = succeeded(run).report;

      const rejects = await csvObjects(join(outDir, 'rejects.csv'));
      // The header is row 1 and quoted newlines do not start rows: data row n is row n + 1.
      expect(rejects.map((r) => Number(r.row))).to.deep.equal(dirty.defects.map((d) => d.row + 1));
      dirty.defects.forEach((d, i) => {
        const reject = rejects[i]!;
        expect(reject.reason, `row ${reject.row} (${d.defect})`).to.match(REASONS[d.defect]);
        // Its raw text is the row itself: order_id, the first field, is the data row number.
        expect(reject.raw, `row ${reject.row}`).to.match(new RegExp(`^${d.row},`));
      });

      expect(report.partitions).to.equal(4);
      expect(report.rowsIn).to.equal(dirty.rows);
      expect(report.rowsRejected).to.equal(dirty.defects.length);
      expect(report.rowsOut + report.rowsFiltered + report.rowsRejected).to.equal(report.rowsIn);
      expectClose(report.rejectPercent, (100 * dirty.defects.length) / dirty.rows, 1e-9, 'rejectPercent');
      expect(await readReport(outDir)).to.deep.equal(report);
      expect((await getJob(run.jobId))!.figures, 'live figures at the end').to.deep.equal({ rowsIn: report.rowsIn, rowsRejected: report.rowsRejected });
    });

    it('past maxRejectPercent the job fails with InvalidInput naming the limit and a sample row, and publishes nothing', async () => {
      const run = await runEtl(localStack(), { input: dirtyCsv, spec: salesSpec, settings: { partitionMb: partitionMbFor(dirty.bytes, 4), maxRejectPercent: 0 } });
      const { error, message } = failureOf(run);
      expect(error).to.equal('InvalidInput');
      expect(message).to.contain('maxRejectPercent 0');
      expect(message).to.contain(`${dirty.defects.length} of ${dirty.rows} rows`);
      expect(message).to.contain(`row ${dirty.defects[0]!.row + 1}: `);
      expect(await publishedKeys(run.jobId)).to.deep.equal([]);
      expect(await getJob(run.jobId)).to.include({ status: 'FAILED', error: 'InvalidInput' });
    });
  });

  describe('hostile inputs', () => {
    const tiny = { columns: { id: 'int', name: 'string' }, aggregates: { n: 'count' } };
    const PLAN_ONLY = ['EtlPlan', 'RecordFailure'];
    const failures: { title: string; file: string; bytes: () => Promise<Buffer>; spec?: unknown; settings?: Record<string, unknown>; ran?: string[]; message: string[] }[] = [
      {
        title: 'a quote opened in row 3 and never closed (cut into 10-byte ranges)',
        file: 'unterminated.csv',
        bytes: async () => Buffer.from('id,name\n1,ok\n2,"never closed\n3,x\n4,y\n'),
        settings: { partitionMb: 10 / MB },
        ran: ['EtlPlan', 'EtlScanRange', 'EtlStitch', 'RecordFailure'],
        message: ['ends inside a quoted field', 'opened at byte 15', 'row 3', 'never closed'],
      },
      { title: 'a 0-byte file', file: 'empty.csv', bytes: async () => Buffer.alloc(0), message: ['empty (0 bytes)'] },
      { title: 'a header and no rows', file: 'header-only.csv', bytes: async () => Buffer.from('id,name\r\n'), message: ['header but no data rows'] },
      { title: 'a header followed by blank lines only', file: 'header-blank.csv', bytes: async () => Buffer.from('id,name\n\n\r\n'), message: ['header but no data rows'] },
      { title: 'a header that is not UTF-8', file: 'header-latin1.csv', bytes: async () => Buffer.from('id,caf\xe9\n1,2\n', 'latin1'), message: ['header row is not valid UTF-8'] },
      {
        title: 'a header without a spec column',
        file: 'missing.csv',
        bytes: async () => Buffer.from('id,name\n1,a\n'),
        spec: { columns: { id: 'int', name: 'string', region: 'string' }, aggregates: { n: 'count' } },
        message: ['lacks the spec column(s) region', 'header: id, name', 'delimiter ","'],
      },
      {
        title: 'a ";" file whose header holds as many commas (read as ",")',
        file: 'semicolons.csv',
        bytes: async () => Buffer.from('region;sales, 2023;sales, 2024\nNorth;10;12\n'),
        spec: { columns: { region: 'string', 'sales, 2023': 'int' }, aggregates: { n: 'count' } },
        message: ['lacks the spec column(s) region, sales, 2023', 'delimiter ","'],
      },
      {
        title: 'a where value that does not fit a column the transform module derives',
        file: 'flights-literal.csv',
        bytes: async () => Buffer.from('delay,distance,origin,destination\n5,300,ORD,LAX\n'),
        spec: {
          columns: { delay: 'int', distance: 'int', origin: 'string!', destination: 'string!' },
          transform: 'flight-delays',
          where: [{ column: 'delay_per_100mi', op: '<', value: 'fast' }],
          aggregates: { n: 'count' },
        },
        message: ['spec.where[0].value', '"fast" is not a number', 'float column delay_per_100mi'],
      },
      {
        title: 'a Parquet file cut short (its footer lost)',
        file: 'truncated.parquet',
        bytes: async () => (await flightsParquet()).subarray(0, -100),
        spec: { columns: { origin: 'string', delay: 'int' }, aggregates: { n: 'count' } },
        message: ['not a readable Parquet file', 'does not end with "PAR1"'],
      },
      {
        title: 'a Parquet file whose footer is garbage',
        file: 'garbled.parquet',
        bytes: async () => {
          const bytes = Buffer.from(await flightsParquet());
          const footer = bytes.readUInt32LE(bytes.length - 8);
          bytes.fill(0xff, bytes.length - 8 - footer, bytes.length - 8);
          return bytes;
        },
        spec: { columns: { origin: 'string', delay: 'int' }, aggregates: { n: 'count' } },
        message: ['not a readable Parquet file', 'footer cannot be decoded'],
      },
    ];

    /** A small Parquet file written by DuckDB (3 row groups of real flights). */
    let parquet: Promise<Buffer> | undefined;
    const flightsParquet = () =>
      (parquet ??= (async () => {
        const path = join(dir, 'flights-small.parquet');
        await duck().run(`copy (select * from read_parquet(${sql(join(vega, 'flights-3m.parquet'))}) limit 3000) to ${sql(path)} (format parquet, row_group_size 1000)`);
        return readFile(path);
      })());

    for (const c of failures) {
      it(`fails before any transform, naming the problem: ${c.title}`, async () => {
        const input = join(dir, c.file);
        await writeFile(input, await c.bytes());
        const run = await runEtl(localStack(), { input, spec: c.spec ?? tiny, settings: c.settings });
        const { error, message } = failureOf(run);
        expect(error, message).to.equal('InvalidInput');
        for (const part of c.message) expect(message).to.contain(part);
        expect(Object.keys(run.summary.byFunction).sort()).to.deep.equal([...(c.ran ?? PLAN_ONLY)].sort());
        expect(await publishedKeys(run.jobId)).to.deep.equal([]);
        expect(await getJob(run.jobId)).to.include({ status: 'FAILED', error: 'InvalidInput' });
      });
    }

    it('invalid UTF-8 in data rows rejects those rows (any column type) and keeps the rest', async () => {
      const input = join(dir, 'bad-utf8.csv');
      await writeFile(
        input,
        Buffer.concat([Buffer.from('id,name,qty\n1,ok,3\n2,Caf'), Buffer.from([0xe9, 0xff]), Buffer.from(',4\n3,fine,5\n4,x,'), Buffer.from([0xff]), Buffer.from('6\n')]),
      );
      const spec = { columns: { id: 'int', name: 'string', qty: 'int' }, aggregates: { n: 'count', qty: 'sum(qty)', names: 'count_distinct(name)' } };
      const outDir = join(dir, 'bad-utf8');
      const run = await runEtl(localStack(), { input, spec, settings: { maxRejectPercent: 50 }, outDir });
      expect(succeeded(run).report).to.include({ rowsIn: 4, rowsOut: 2, rowsRejected: 2 });
      expect(await readFile(join(outDir, 'aggregates.csv'), 'utf8')).to.equal('n,qty,names\n2,8,2\n');
      const rejects = await csvObjects(join(outDir, 'rejects.csv'));
      expect(rejects.map((r) => r.row)).to.deep.equal(['3', '5']);
      expect(rejects[0]!.reason).to.match(/^name: invalid UTF-8/);
      expect(rejects[1]!.reason).to.match(/^qty: .* is not an int64/);
      expect(rejects.map((r) => r.raw.split(',')[0])).to.deep.equal(['2', '4']);
    });
  });

  describe('idempotency', () => {
    it('re-running a finished job returns its outputs without transforming anything again', async () => {
      const first = await cleanRun(3);
      // What the job published, and what its transforms wrote: checkpoints, partial aggregates, rows.
      const written = [
        ...succeeded(first).outputs,
        ...(await listKeys(`jobs/${first.jobId}/work/`)).filter((key) => /\/(checkpoint\.json$|partials\/|rows\/)/.test(key)),
      ];
      expect(written.filter((key) => key.endsWith('/checkpoint.json'))).to.have.lengthOf(3);
      const stamps = async () => (await Promise.all(written.map((key) => head(key)))).map((h) => [h?.etag, h?.lastModified?.getTime()]);
      const before = await stamps();
      const outDir = join(dir, 'clean-3-again');
      const again = await runEtl(localStack(), { input: cleanCsv, spec: salesSpec, settings: { partitionMb: partitionMbFor((await cleanFile!).bytes, 3) }, outDir });

      expect(again.jobId).to.equal(first.jobId);
      expect(succeeded(again).reused).to.equal(true);
      expect(again.output!.report).to.deep.equal(first.output!.report);
      expect((await readFile(join(outDir, 'aggregates.csv'))).equals(await readFile(join(first.outDir, 'aggregates.csv')))).to.equal(true);
      // Each partition's transform was called once and found its partition done.
      expect(payloadsOf<{ done: boolean }>(again.outcomes).map((p) => p.done)).to.deep.equal([true, true, true]);
      // Nothing was written again.
      expect(await stamps()).to.deep.equal(before);
    });
  });
});

// ---- a hostile CSV ------------------------------------------------------------------------------

const HOSTILE_ROWS = 30;
const hostileSpec = {
  columns: { id: 'int!', grp: 'string!', note: 'string', amount: 'decimal(12,3)', x: 'float' },
  groupBy: ['grp'],
  aggregates: { n: 'count', notes: 'count(note)', total: 'sum(amount)', avg_x: 'avg(x)', first_note: 'min(note)', last_note: 'max(note)', ids: 'sum(id)' },
};

/** Long enough that range edges fall inside them: quoted newlines, escaped quotes, multi-byte characters, all mixed. */
const LONG_NOTES = ['line\n'.repeat(30), '"'.repeat(60), '日本語テキスト'.repeat(6), 'mixed "q"\r\n📦\n'.repeat(8)];
const GROUPS = ['plain', 'Zürich', '日本', 'a,b', 'say "hi"', 'Île\r\nde France'];
const NOTES = [
  'short',
  'two\nlines',
  'crlf\r\ninside',
  'comma, and "quotes"',
  '📦 box, 日本語',
  '"',
  '',
  '\n',
  '\r\n\r\n',
  'ends with a quote"',
  ' padded ',
  ...LONG_NOTES,
];

function csvField(text: string, always = false): string {
  return always || /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows ending in CRLF (the last one in nothing) with every kind of quoted field; returns the fields as written. */
async function writeHostileCsv(path: string): Promise<string[]> {
  const rows = [['id', 'grp', '"note"', 'amount', 'x']];
  for (let id = 1; id <= HOSTILE_ROWS; id++) {
    const amount = (((id * 7919) % 20_000) - 10_000) / 1000;
    rows.push([String(id), csvField(GROUPS[id % GROUPS.length]!, id % 2 === 0), csvField(NOTES[(id * 7) % NOTES.length]!), amount.toFixed(3), String(id * 0.37)]);
  }
  await writeFile(path, rows.map((r) => r.join(',')).join('\r\n'));
  return rows.flat();
}
