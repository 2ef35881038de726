// A group-by with a million distinct keys through functions of 256 MB (a heap limit of 230 MB): a table
// of a million groups with their accumulators does not fit that heap, so the job succeeds only if no
// task holds all of them. Transforms spill sorted runs, one reduce task (reduceBuckets 1, the worst
// case) merges every run by streaming, and report streams the merged run into aggregates.csv and
// .parquet. DuckDB computes the same query on the same file as the oracle.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { expect } from 'chai';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { etlFunctions } from '../../handlers/etl/pipeline';
import { duckRows, useDuckDb } from '../support/duckdb';
import { csvObjects, readReport, runEtl, sql, succeeded, useEtlStack, withFunctionAs, type EtlRun } from '../support/etl';
import { seededRandom } from '../../handlers/lib/seeded-random';

const dir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-etl-cardinality-'));
const GROUPS = 1_000_000;
const ROWS = 1_150_000;
const SMALL_MB = 256;

/** The pipeline's functions after Plan again, each with SMALL_MB of memory, as `<name>Small`. */
const small: FunctionSpec[] = ['EtlTransform', 'EtlGather', 'EtlReduce', 'EtlReport'].map((name) => ({
  ...etlFunctions.find((f) => f.name === name)!,
  name: `${name}Small`,
  memoryMb: SMALL_MB,
}));

/** Rows whose key visits every one of GROUPS keys in a scrambled order, then repeats some. */
async function writeKeysCsv(path: string): Promise<void> {
  const random = seededRandom(7);
  const out = createWriteStream(path);
  let chunk = 'id,v\n';
  for (let i = 0; i < ROWS; i++) {
    const key = (i * 7919) % GROUPS; // 7919 is prime to GROUPS: a permutation of the keys
    chunk += `k${String(key).padStart(7, '0')},${random.int(-1000, 1000)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

describe('ETL group-by over a million keys in 256 MB functions', function () {
  this.timeout(300_000);
  const localStack = useEtlStack(small);
  const duck = useDuckDb();
  after(() => rm(dir, { recursive: true, force: true }));

  const csv = join(dir, 'keys.csv');
  const outDir = join(dir, 'out');
  const spec = { columns: { id: 'string!', v: 'int!' }, groupBy: ['id'], aggregates: { rows: 'count', total: 'sum(v)', top: 'max(v)' } };
  let run: EtlRun;

  before(async function () {
    this.timeout(300_000);
    await writeKeysCsv(csv);
    const stack = small.reduce((s, f) => withFunctionAs(s, f.name.replace(/Small$/, ''), f.name), localStack());
    run = await runEtl(stack, { input: csv, spec, settings: { partitionMb: 5, reduceBuckets: 1 }, outDir, jobId: 'etl-million-groups' });
  });

  it('succeeds with every row counted and a million groups', async () => {
    const report = succeeded(run).report;
    expect(report).to.include({ rowsIn: ROWS, rowsOut: ROWS, rowsRejected: 0, groups: GROUPS });
    expect(report.partitions).to.be.at.least(3);
    expect(await readReport(outDir)).to.deep.equal(report);
  });

  it('aggregates.csv is DuckDB’s answer to the same query, row for row', async () => {
    const got = await csvObjects(join(outDir, 'aggregates.csv'));
    const want = await duckRows(
      duck(),
      `select id, count(*) as rows, sum(v) as total, max(v) as top from read_csv(${sql(csv)}, header = true, columns = {'id': 'VARCHAR', 'v': 'BIGINT'}) group by id order by id`,
    );
    expect(got).to.have.lengthOf(GROUPS);
    expect(want).to.have.lengthOf(GROUPS);
    const text = (r: Record<string, unknown>) => `${String(r.id)},${String(r.rows)},${String(r.total)},${String(r.top)}`;
    const firstDifference = want.findIndex((w, i) => text(w) !== text(got[i]!));
    expect(firstDifference, firstDifference >= 0 ? `row ${firstDifference + 1}: ${text(got[firstDifference]!)} vs DuckDB ${text(want[firstDifference]!)}` : '').to.equal(-1);
  });

  it('aggregates.parquet holds the same table, in the same order', async () => {
    const parquet = sql(join(outDir, 'aggregates.parquet'));
    const [summary] = await duckRows(duck(), `select count(*) as n, sum(total) as total, min(id) as first, max(id) as last from read_parquet(${parquet})`);
    const [expected] = await duckRows(duck(), `select count(distinct id) as n, sum(v) as total, min(id) as first, max(id) as last from read_csv(${sql(csv)}, header = true)`);
    expect(summary).to.deep.equal(expected);
    const outOfOrder = await duckRows(duck(), `select count(*) as n from (select id, lag(id) over () as before from read_parquet(${parquet})) where before >= id`);
    expect(outOfOrder[0]!.n).to.equal(0n);
  });
});
