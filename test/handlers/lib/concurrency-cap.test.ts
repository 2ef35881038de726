// The stack's cap on a job's maxConcurrency: parsed from LONGHAUL_MAX_CONCURRENCY, and applied by the
// planning tasks (ETL plan, video probe) to the value the state machine's Maps read.
import '../video/logs-silent';
import { join } from 'node:path';
import { expect } from 'chai';
import { handler as etlPlan } from '../../../handlers/etl/plan';
import { etlKeys } from '../../../handlers/etl/keys';
import { capConcurrency, parseConcurrencyCap } from '../../../handlers/lib/concurrency-cap';
import { getJson, uploadFile } from '../../../handlers/lib/s3';
import { jobKeys } from '../../../handlers/lib/storage-layout';
import { videoKeys } from '../../../handlers/video/keys';
import { SALES_COLUMNS, writeSalesCsv } from '../../../local/data/sales-generator';
import { applyEnv } from '../../../local/process-env';
import { useLocalServices } from '../../support/services';
import { fakeContext, jobInput, probe, uploadClip, withTempDir } from '../video/pipeline-steps';
import '../video/logs-restored';

describe('handlers/lib/concurrency-cap', () => {
  it('reads the cap, 50 when unset, and names the variable when it is not 1..10000', () => {
    expect(parseConcurrencyCap(undefined)).to.equal(50);
    expect(parseConcurrencyCap(' ')).to.equal(50);
    expect(parseConcurrencyCap('8')).to.equal(8);
    expect(parseConcurrencyCap('10000')).to.equal(10_000);
    for (const bad of ['0', '10001', '-3', '2.5', 'many']) {
      expect(() => parseConcurrencyCap(bad), bad).to.throw(`LONGHAUL_MAX_CONCURRENCY="${bad}" must be a whole number from 1 to 10000`);
    }
  });

  it('lowers a job above the cap and says so; leaves one at or below it alone', () => {
    const warnings: unknown[][] = [];
    const warn = (...args: unknown[]) => warnings.push(args);
    const env = { LONGHAUL_MAX_CONCURRENCY: '20' };
    expect(capConcurrency({ jobId: 'a', maxConcurrency: 500 }, warn, env)).to.deep.equal({ jobId: 'a', maxConcurrency: 20 });
    expect(warnings).to.deep.equal([["maxConcurrency lowered to this stack's cap (LONGHAUL_MAX_CONCURRENCY)", { requested: 500, cap: 20 }]]);
    const job = { jobId: 'b', maxConcurrency: 20 };
    expect(capConcurrency(job, warn, env)).to.equal(job);
    expect(warnings).to.have.lengthOf(1);
  });

  describe('in the planning tasks (local S3 and DynamoDB)', function () {
    this.timeout(60_000);
    useLocalServices();

    it('ETL plan gives its Maps the stack cap, not the job’s larger maxConcurrency', async () => {
      const jobId = 'cap-etl';
      const key = jobKeys.input(jobId, 'sales.csv');
      await withTempDir(async (dir) => {
        await writeSalesCsv(join(dir, 'sales.csv'), { rows: 20, seed: 3 });
        await uploadFile(join(dir, 'sales.csv'), key);
      });
      const spec = { columns: SALES_COLUMNS, groupBy: ['region'], aggregates: { orders: 'count' } };
      const restore = applyEnv({ LONGHAUL_MAX_CONCURRENCY: '4' });
      try {
        const result = (await etlPlan({ jobId, input: { key }, spec, maxConcurrency: 500 }, fakeContext('EtlPlan'))) as { maxConcurrency: number };
        expect(result.maxConcurrency).to.equal(4);
      } finally {
        restore();
      }
      const manifest = await getJson<{ job: { maxConcurrency: number } }>(etlKeys.manifest(jobId));
      expect(manifest.job.maxConcurrency).to.equal(4);
    });

    it('video probe applies the default cap of 50 when the stack sets none', async () => {
      const jobId = 'cap-video';
      const key = await uploadClip(jobId, { durationSeconds: 1 });
      const restore = applyEnv({ LONGHAUL_MAX_CONCURRENCY: '' });
      try {
        const result = (await probe({ ...jobInput(jobId, key), maxConcurrency: 200 }, fakeContext('VideoProbe'))) as { maxConcurrency: number };
        expect(result.maxConcurrency).to.equal(50);
      } finally {
        restore();
      }
      const manifest = await getJson<{ job: { maxConcurrency: number } }>(videoKeys.manifest(jobId));
      expect(manifest.job.maxConcurrency).to.equal(50);
    });
  });
});
