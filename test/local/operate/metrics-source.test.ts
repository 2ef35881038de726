// Reading EMF records back from a data dir: by job, by time window, past lines that are not ours (another
// namespace, a line cut short by a crash), with usage summed as `longhaul cost` needs it. The file is
// written by hand in the EMF specification's shape, so the reader is checked against the format, not
// against the writer.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { emfFilePath } from '../../../local/lambda/emf-lines';
import { readMetrics, totalUsage } from '../../../local/operate/metrics-source';

function emf(t: number, fields: Record<string, unknown>, metrics: Record<string, [string, unknown]>, namespace = 'longhaul'): string {
  return JSON.stringify({
    _aws: {
      Timestamp: t,
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [['function', 'pipeline']], Metrics: Object.entries(metrics).map(([Name, [Unit]]) => ({ Name, Unit })) },
      ],
    },
    ...fields,
    ...Object.fromEntries(Object.entries(metrics).map(([name, [, value]]) => [name, value])),
  });
}

const usage = (get: number, put: number, reads: number, writes: number) => ({
  s3Requests: { get, put, list: 1, other: 0, delete: 0 },
  dynamodbRequests: reads + writes,
  dynamodbReadUnits: reads,
  dynamodbWriteUnits: writes,
});

describe('local/operate/metrics-source', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'longhaul-metrics-source-'));
    const file = emfFilePath(dataDir);
    mkdirSync(dirname(file), { recursive: true });
    const lines = [
      emf(1000, { function: 'VideoSplit', pipeline: 'video', jobId: 'job-a', requestId: 'r1', outcome: 'done', ...usage(2, 3, 1, 4) }, { TaskDuration: ['Milliseconds', 900] }),
      emf(2000, { function: 'VideoTranscodeChunk', pipeline: 'video', jobId: 'job-b', requestId: 'r2', outcome: 'done', ...usage(1, 1, 0, 2) }, { TaskDuration: ['Milliseconds', 50] }),
      'not json at all',
      emf(2500, { function: 'Other', pipeline: 'x', jobId: 'job-a' }, { Custom: ['Count', 1] }, 'SomeoneElse'),
      // EMF allows several values for one metric: they add up.
      emf(3000, { function: 'VideoTranscodeChunk', pipeline: 'video', jobId: 'job-a', requestId: 'r3', outcome: 'failed', errorType: 'ChunkOverBudget', ...usage(5, 7, 2, 3) }, {
        TaskDuration: ['Milliseconds', 4000],
        FramesEncoded: ['Count', [300, 200]],
      }),
      // A job id that contains another's is not that job.
      emf(3500, { function: 'VideoMerge', pipeline: 'video', jobId: 'job-a2', requestId: 'r4', ...usage(1, 1, 1, 1) }, { TaskDuration: ['Milliseconds', 10] }),
      // Cut short by a crash mid-write.
      '{"_aws":{"Timestamp":4000,"CloudWatchMetrics":[{"Namespace":"longhaul","Dim',
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads one job’s records, skipping lines that are not longhaul EMF', async () => {
    const records = await readMetrics({ dataDir, jobId: 'job-a' });
    expect(records.map((r) => r.requestId)).to.deep.equal(['r1', 'r3']);
    expect(records[1]).to.deep.include({
      timestamp: 3000,
      function: 'VideoTranscodeChunk',
      pipeline: 'video',
      jobId: 'job-a',
      outcome: 'failed',
      errorType: 'ChunkOverBudget',
      durationMs: 4000,
      metrics: { TaskDuration: 4000, FramesEncoded: 500 },
      s3Requests: { get: 5, put: 7, list: 1, other: 0, delete: 0 },
      dynamodb: { requests: 5, readUnits: 2, writeUnits: 3 },
    });
  });

  it('reads a time window: since inclusive, until exclusive', async () => {
    const records = await readMetrics({ dataDir, since: 2000, until: new Date(3500) });
    expect(records.map((r) => r.requestId)).to.deep.equal(['r2', 'r3']);
    expect((await readMetrics({ dataDir })).map((r) => r.requestId)).to.deep.equal(['r1', 'r2', 'r3', 'r4']);
  });

  it('sums a job’s usage', async () => {
    const totals = totalUsage(await readMetrics({ dataDir, jobId: 'job-a' }));
    expect(totals).to.deep.equal({
      invocations: 2,
      s3Requests: { get: 7, put: 10, list: 2, other: 0, delete: 0 },
      dynamodb: { requests: 10, readUnits: 3, writeUnits: 7 },
      metrics: { TaskDuration: 4900, FramesEncoded: 500 },
    });
  });

  it('finds nothing where nothing was measured, and says what it needs', async () => {
    expect(await readMetrics({ dataDir: join(dataDir, 'absent') })).to.deep.equal([]);
    let message = '';
    await readMetrics({}).catch((err: Error) => (message = err.message));
    expect(message).to.include('dataDir');
  });
});
