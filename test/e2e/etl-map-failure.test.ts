// A partition that fails for good fails the transform's Distributed Map as a whole, and AWS names that
// failure States.ExceedToleratedFailureThreshold, not the item's error. The job's record must still say
// what went wrong and where: RecordFailure looks up the failed task (handlers/shared/failure-cause.ts),
// and `longhaul run` prints that error.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readParquetLayout } from '../../handlers/etl/parquet-read';
import { openFileParquetSource } from '../../handlers/etl/parquet-source';
import { getJob } from '../../handlers/lib/progress';
import { formatSummary } from '../../local/cli/run-summary';
import { duckRows, useDuckDb } from '../support/duckdb';
import { publishedKeys, runEtl, sql, useEtlStack } from '../support/etl';

const dir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-etl-map-failure-'));
const vega = join(process.cwd(), 'node_modules/vega-datasets/data');

describe('ETL: a partition that fails names its error in the job record, not only the Map’s', function () {
  this.timeout(120_000);
  const localStack = useEtlStack();
  const duck = useDuckDb();
  after(() => rm(dir, { recursive: true, force: true }));

  it('a damaged data page in row group 1: the job is FAILED with InvalidInput naming the group, column and task', async () => {
    const good = join(dir, 'flights.parquet');
    await duckRows(duck(), `copy (select origin, delay from read_parquet(${sql(join(vega, 'flights-3m.parquet'))}) limit 60000) to ${sql(good)} (format parquet, row_group_size 20000)`);
    const layout = await readParquetLayout(await openFileParquetSource(good, 'flights.parquet'));
    const chunk = layout.metadata.row_groups[1]!.columns.find((c) => c.meta_data!.path_in_schema[0] === 'origin')!.meta_data!;
    const start = Number(chunk.dictionary_page_offset || chunk.data_page_offset);
    const bytes = await readFile(good);
    bytes.fill(0xab, start, start + Number(chunk.total_compressed_size));
    const damaged = join(dir, 'damaged.parquet');
    await writeFile(damaged, bytes);

    const run = await runEtl(localStack(), { input: damaged, spec: { columns: { origin: 'string', delay: 'int' }, aggregates: { n: 'count' } } });
    expect(run.summary.result).to.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const job = await getJob(run.jobId);
    expect(job).to.include({ status: 'FAILED', error: 'InvalidInput' });
    expect(job!.cause).to.match(/row group 1, column "origin"/).and.match(/task partition-00001 failed/).and.contain('States.ExceedToleratedFailureThreshold');
    expect(formatSummary(run.summary)).to.match(/^error +InvalidInput: .*row group 1, column "origin"/m);
    expect(await publishedKeys(run.jobId)).to.deep.equal([]);
  });
});
