// What a task prints for CloudWatch: exactly one embedded-metric-format record per invocation, failed ones
// included, in the shape CloudWatch's EMF specification requires (read here as raw JSON, not through our
// reader): namespace, the two dimensions, metric units, the job id as a property only.
import { expect } from 'chai';
import { z } from 'zod';
import { InvalidInput } from '../../../handlers/lib/errors';
import { defineTask } from '../../../handlers/lib/task';
import { jobIdSchema } from '../../../handlers/lib/validation';

interface EmfRecord {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const handler = defineTask({
  name: 'demo-count',
  event: z.object({ jobId: jobIdSchema, fail: z.boolean().default(false) }),
  work: async ({ event, metrics }) => {
    metrics.addWork('RowsRead', 1000);
    metrics.addWork('RowsRead', 500);
    metrics.addWork('FramesEncoded', 30);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (event.fail) throw new InvalidInput('asked to fail', { field: 'fail' });
    return 'ok';
  },
  respond: (r) => r,
});

const context = { awsRequestId: 'req-1', functionName: 'longhaul-dev-demo-count', getRemainingTimeInMillis: () => 60_000 };

/** Runs the handler and returns the EMF records among what it printed on stdout (its log lines are the others). */
async function printed(event: unknown): Promise<{ records: EmfRecord[]; error?: Error }> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  try {
    await handler(event, context);
    return { records: emfRecords(lines) };
  } catch (error) {
    return { records: emfRecords(lines), error: error as Error };
  } finally {
    process.stdout.write = write;
  }
}

function emfRecords(lines: string[]): EmfRecord[] {
  return lines.map((line) => JSON.parse(line) as Partial<EmfRecord>).filter((r): r is EmfRecord => r._aws !== undefined);
}

describe('handlers/lib/metrics: the EMF record a task prints', () => {
  const saved: Record<string, string | undefined> = {};
  before(() => {
    for (const key of ['POWERTOOLS_METRICS_DISABLED', 'LONGHAUL_PIPELINE']) saved[key] = process.env[key];
    // test/support/setup.ts turns metrics off in the test process; this file is about them.
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    process.env.LONGHAUL_PIPELINE = 'demo';
  });
  after(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('prints one record: namespace longhaul, dimensions function and pipeline, units, the job id as a property', async () => {
    const before = Date.now();
    const { records, error } = await printed({ jobId: 'job-1' });
    expect(error).to.equal(undefined);
    expect(records).to.have.lengthOf(1);
    const record = records[0]!;
    expect(record._aws.Timestamp).to.be.within(before, Date.now());
    expect(record._aws.CloudWatchMetrics).to.have.lengthOf(1);
    const [directive] = record._aws.CloudWatchMetrics;
    expect(directive!.Namespace).to.equal('longhaul');
    expect(directive!.Dimensions).to.deep.equal([['function', 'pipeline']]);
    expect(directive!.Metrics).to.have.deep.members([
      { Name: 'TaskDuration', Unit: 'Milliseconds' },
      { Name: 'RowsRead', Unit: 'Count' },
      { Name: 'FramesEncoded', Unit: 'Count' },
    ]);
    // Every dimension and metric named in the directive has its value at the top level, as EMF requires.
    expect(record).to.include({ function: 'longhaul-dev-demo-count', pipeline: 'demo', RowsRead: 1500, FramesEncoded: 30 });
    expect(record.TaskDuration).to.be.a('number').and.at.least(15);
    expect(record).to.include({ jobId: 'job-1', requestId: 'req-1', service: 'demo-count', outcome: 'done' });
    // No I/O: no requests.
    expect(record).to.deep.include({ s3Requests: { get: 0, put: 0, list: 0, other: 0, delete: 0 }, dynamodbRequests: 0 });
    // The job id is never a dimension (one custom metric per job); Powertools' default `service` dimension is gone.
    expect(directive!.Dimensions.flat()).to.not.include.members(['jobId']);
    expect(directive!.Dimensions.flat()).to.not.include('service');
  });

  it('prints one record for a failed invocation too, with its error type', async () => {
    const { records, error } = await printed({ jobId: 'job-2', fail: true });
    expect(error?.name).to.equal('InvalidInput');
    expect(records).to.have.lengthOf(1);
    const record = records[0]!;
    expect(record).to.include({ jobId: 'job-2', outcome: 'failed', errorType: 'InvalidInput', RowsRead: 1500 });
    expect(record.TaskDuration).to.be.a('number');
  });

  it('prints one record for an event it refuses, without a job id', async () => {
    const { records, error } = await printed({ jobId: '../etc' });
    expect(error?.name).to.equal('InvalidInput');
    expect(records).to.have.lengthOf(1);
    const record = records[0]!;
    expect(record).to.include({ outcome: 'failed', errorType: 'InvalidInput' });
    expect(record).to.not.have.property('jobId');
  });

  it('names the pipeline `shared` for a function no pipeline owns', async () => {
    delete process.env.LONGHAUL_PIPELINE;
    try {
      const { records } = await printed({ jobId: 'job-3' });
      expect(records.map((r) => r.pipeline)).to.deep.equal(['shared']);
    } finally {
      process.env.LONGHAUL_PIPELINE = 'demo';
    }
  });
});
