// An ETL partition that cannot be transformed within one invocation: the same EtlTransform handler,
// deployed a second time with a 2 s timeout (EtlTransformShort), is what the state machine calls. It
// must stop before its deadline, checkpoint, and be called again until done, with every row counted
// once: the figures must be exactly what the generator wrote and what a run without the short timeout
// gives.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { etlFunctions } from '../../handlers/etl/pipeline';
import { getJob, type JobRecord } from '../../handlers/lib/progress';
import { writeSalesCsv, SALES_COLUMNS, type SalesFile } from '../../local/data/sales-generator';
import { duckRows, useDuckDb } from '../support/duckdb';
import { csvObjects, parquetList, payloadsOf, rowParts, runEtl, succeeded, useEtlStack, withFunctionAs, type EtlRun } from '../support/etl';

const dir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-etl-checkpoint-'));
const SHORT_TIMEOUT_SECONDS = 2;
const transform = etlFunctions.find((f) => f.name === 'EtlTransform')!;
const shortTransform = { ...transform, name: 'EtlTransformShort', timeoutSeconds: SHORT_TIMEOUT_SECONDS };

describe('ETL transform past its Lambda timeout: checkpoints and resumes', function () {
  this.timeout(120_000);
  const localStack = useEtlStack([shortTransform]);
  const duck = useDuckDb();
  after(() => rm(dir, { recursive: true, force: true }));

  // 500,000 rows (45 MB) in one partition, with float aggregates (exact sums and squares) costly per
  // row and little to write per checkpoint: more than one turn's work on this machine (250,000 rows
  // came to fit in one 1.6 s turn as the transform got faster), so two turns at least of a 2 s Lambda,
  // whose budget is 1.6 s (a fifth of the time is kept as the safety margin).
  const csv = join(dir, 'sales-500k.csv');
  let sales: SalesFile;
  const spec = {
    columns: SALES_COLUMNS,
    groupBy: ['region'],
    aggregates: {
      orders: 'count',
      units: 'sum(quantity)',
      revenue: 'sum(unit_price)',
      avg_discount: 'avg(discount)',
      sd_discount: 'stddev(discount)',
      sd_price: 'stddev(unit_price)',
      sd_units: 'stddev(quantity)',
      products: 'count_distinct(product)',
      first_order: 'min(order_date)',
      last_product: 'max(product)',
    },
    rows: { select: ['order_id'] },
  };
  const settings = { maxRejectPercent: 1 };
  let short: EtlRun;
  const afterEachTurn: Promise<JobRecord | undefined>[] = [];
  let reference: EtlRun;

  before(async function () {
    this.timeout(120_000);
    sales = await writeSalesCsv(csv, { rows: 500_000, seed: 3, dirty: true, dirtyEvery: 2_000 });
    const shortStack = withFunctionAs(localStack(), 'EtlTransform', shortTransform.name);
    short = await runEtl(shortStack, {
      input: csv,
      spec,
      settings,
      jobId: 'etl-checkpoint-short',
      outDir: join(dir, 'short'),
      observe: shortTransform.name,
      // The progress table as the state machine gets each turn's result, before the next turn starts.
      onEvent: (e) => e.kind === 'task' && e.functionName === shortTransform.name && afterEachTurn.push(getJob('etl-checkpoint-short')),
    });
    reference = await runEtl(localStack(), { input: csv, spec, settings, jobId: 'etl-checkpoint-reference', outDir: join(dir, 'reference') });
  });

  it('takes several turns, each returning before the timeout, none killed', () => {
    succeeded(short);
    // payloadsOf fails on any invocation that did not return (Sandbox.Timedout, a crash).
    const turns = payloadsOf<{ done: boolean }>(short.outcomes).map((p) => p.done);
    const durations = short.outcomes.map((o) => Math.round(o.durationMs));
    expect(turns.length, `turns of the short transform (ms: ${durations.join(', ')})`).to.be.at.least(2);
    expect(turns).to.deep.equal([...turns.slice(0, -1).map(() => false), true]);
    for (const ms of durations) expect(ms, `turns (ms): ${durations.join(', ')}`).to.be.below(SHORT_TIMEOUT_SECONDS * 1000);
    expect(short.summary.byFunction.EtlTransform, 'the 900 s transform was not called').to.equal(undefined);
  });

  it('counts every row once: the generator\'s rows and defects, and the rows kept', async () => {
    const report = succeeded(short).report;
    const rejects = await csvObjects(join(dir, 'short', 'rejects.csv'));
    const defectRows = new Set(sales.defects.map((d) => d.row + 1));
    const unexpected = rejects.filter((r) => !defectRows.has(Number(r.row)));
    expect(rejects.map((r) => Number(r.row)), `rejects not generated as defects: ${JSON.stringify(unexpected)}`).to.deep.equal(sales.defects.map((d) => d.row + 1));
    expect(report).to.include({ partitions: 1, rowsIn: sales.rows, rowsRejected: sales.defects.length, rowsFiltered: 0, rowsOut: sales.rows - sales.defects.length });

    // rows/: order_id is the data row number, so the kept rows are 1..500,000 less the defect rows, each once.
    const defectIds = sales.defects.map((d) => d.row);
    const [ids] = await duckRows(
      duck(),
      `select count(*)::INTEGER n, count(distinct order_id)::INTEGER distinct_ids, sum(order_id)::VARCHAR total from read_parquet(${parquetList(await rowParts(join(dir, 'short')))})`,
    );
    const n = BigInt(sales.rows);
    expect(ids).to.deep.equal({
      n: sales.rows - defectIds.length,
      distinct_ids: sales.rows - defectIds.length,
      total: String((n * (n + 1n)) / 2n - defectIds.reduce((a, b) => a + BigInt(b), 0n)),
    });
  });

  it("leaves in the progress table the rows read and rejected, added turn by turn, equal to the report's", async () => {
    for (const run of [short, reference]) {
      const { rowsIn, rowsRejected } = succeeded(run).report;
      expect(await getJob(run.summary.jobId), run.summary.jobId).to.deep.include({ status: 'SUCCEEDED', doneUnits: 1, figures: { rowsIn, rowsRejected } });
    }
    // Live: once its first turn had returned, its one partition still to finish, the table had that turn's rows.
    const turns = payloadsOf<{ done: boolean; cursor: { figures: { rowsIn: number; rowsRejected: number } } }>(short.outcomes);
    const [first] = await Promise.all(afterEachTurn);
    expect(turns[0]!.done).to.equal(false);
    expect(turns[0]!.cursor.figures.rowsIn).to.be.above(0).and.below(sales.rows);
    expect(first).to.deep.include({ step: 'transform', doneUnits: 0, figures: turns[0]!.cursor.figures });
  });

  it('gives exactly the outputs of the same job run by a transform with its full timeout', async () => {
    expect(succeeded(reference).report).to.deep.equal(succeeded(short).report);
    expect(payloadsOf<{ done: boolean }>(reference.outcomes).map((p) => p.done), 'the reference took one turn').to.deep.equal([true]);
    for (const file of ['aggregates.csv', 'rejects.csv']) {
      const [a, b] = await Promise.all([readFile(join(dir, 'short', file)), readFile(join(dir, 'reference', file))]);
      expect(a.equals(b), file).to.equal(true);
    }
    const rows = async (run: string) => parquetList(await rowParts(join(dir, run)));
    const [diff] = await duckRows(
      duck(),
      `select (select count(*) from (from read_parquet(${await rows('short')}) except all from read_parquet(${await rows('reference')})))::INTEGER extra,
              (select count(*) from (from read_parquet(${await rows('reference')}) except all from read_parquet(${await rows('short')})))::INTEGER missing`,
    );
    expect(diff).to.deep.equal({ extra: 0, missing: 0 });
  });
});
