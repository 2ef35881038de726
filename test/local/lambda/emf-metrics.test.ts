// Handlers' EMF metrics through the local runner: each invocation's record lands in the function's log and
// in the data dir's EMF file, and the S3 requests, bytes and DynamoDB units it reports are what the local
// servers were sent (a counting proxy in front of each is the oracle).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { emfFilePath } from '../../../local/lambda/emf-lines';
import { createLambdaRuntime, type LambdaRuntime, type RuntimeInvokeOutcome } from '../../../local/lambda/runtime';
import type { LogLine } from '../../../local/lambda/types';
import { readMetrics, type MetricRecord } from '../../../local/operate/metrics-source';
import { startCountingProxy, type CountingProxy, type SeenRequest } from '../../support/counting-proxy';
import { fixtureFunction } from '../../support/fixture-function';
import { useLocalServices } from '../../support/services';

/** S3's price class of a request, from what went over the wire. */
function s3ClassOf(r: SeenRequest): 'get' | 'put' | 'list' | 'other' | 'delete' {
  const url = new URL(r.url, 'http://x');
  const bucketLevel = url.pathname.split('/').filter(Boolean).length <= 1;
  if (r.method === 'DELETE' || (r.method === 'POST' && url.searchParams.has('delete'))) return 'delete';
  if (r.method === 'PUT' || r.method === 'POST') return 'put';
  if (r.method === 'GET') return bucketLevel ? 'list' : 'get';
  return 'other';
}

const READ_OPERATIONS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);

describe('local/lambda EMF metrics', function () {
  this.timeout(60_000);
  const services = useLocalServices();
  let s3Proxy: CountingProxy;
  let dynamoProxy: CountingProxy;
  let runtime: LambdaRuntime;
  let dataDir: string;
  const logs: LogLine[] = [];
  // What each invocation sent, as the proxies saw it.
  const sent: { job: string; outcome: RuntimeInvokeOutcome; s3: SeenRequest[]; dynamodb: SeenRequest[] }[] = [];
  let records: MetricRecord[];

  async function invoke(event: { jobId: string; text?: string; rows?: number; fail?: boolean }): Promise<void> {
    const s3From = s3Proxy.seen.length;
    const dynamoFrom = dynamoProxy.seen.length;
    const outcome = await runtime.invoke('MetricsTask', event);
    sent.push({ job: event.jobId, outcome, s3: s3Proxy.seen.slice(s3From), dynamodb: dynamoProxy.seen.slice(dynamoFrom) });
  }

  before(async () => {
    const env = services().env;
    s3Proxy = await startCountingProxy(env.AWS_ENDPOINT_URL_S3!);
    dynamoProxy = await startCountingProxy(env.AWS_ENDPOINT_URL_DYNAMODB!);
    dataDir = mkdtempSync(join(tmpdir(), 'longhaul-emf-'));
    const work = 'jobs/*/work/*';
    runtime = createLambdaRuntime({
      functions: [
        fixtureFunction('MetricsTask', {
          entry: 'test/fixtures/functions/metrics-task.ts',
          s3: { read: [work], write: [work] },
          table: 'write',
          env: { LONGHAUL_PIPELINE: 'fixture' },
        }),
      ],
      env: { ...env, AWS_ENDPOINT_URL_S3: s3Proxy.endpoint, AWS_ENDPOINT_URL_DYNAMODB: dynamoProxy.endpoint },
      emfFile: emfFilePath(dataDir),
      onLog: (line) => logs.push(line),
    });
    // A first run of a job, the same job again (its task is done: conditional writes fail, a read), another that fails.
    await invoke({ jobId: 'emf-a', text: 'hello metrics', rows: 1200 });
    await invoke({ jobId: 'emf-a', text: 'hello again' });
    await invoke({ jobId: 'emf-b', fail: true });
    // S3 throttles the PUT once: the SDK sends it again, and both requests count.
    s3Proxy.slowDownNext('PUT');
    await invoke({ jobId: 'emf-c' });
    // Closing flushes the EMF file.
    await runtime.close();
    records = await readMetrics({ dataDir });
  });

  after(async () => {
    await runtime?.close();
    await s3Proxy?.close();
    await dynamoProxy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps each invocation’s EMF line in the data dir’s file and in the function’s log', () => {
    expect(sent.map((s) => s.outcome.ok)).to.deep.equal([true, true, false, true]);
    const fileLines = readFileSync(emfFilePath(dataDir), 'utf8').trim().split('\n');
    expect(fileLines).to.have.lengthOf(4);
    const logged = logs.filter((l) => l.stream === 'stdout' && l.text.startsWith('{"_aws"')).map((l) => l.text);
    expect(logged).to.deep.equal(fileLines);
    // Each line is attributed to its invocation.
    expect(logs.filter((l) => fileLines.includes(l.text)).map((l) => l.requestId)).to.deep.equal(sent.map((s) => s.outcome.requestId));
    expect(records.map((r) => [r.jobId, r.function, r.pipeline, r.outcome])).to.deep.equal([
      ['emf-a', 'MetricsTask', 'fixture', 'done'],
      ['emf-a', 'MetricsTask', 'fixture', 'done'],
      ['emf-b', 'MetricsTask', 'fixture', 'failed'],
      ['emf-c', 'MetricsTask', 'fixture', 'done'],
    ]);
    expect(records.map((r) => r.requestId)).to.deep.equal(sent.map((s) => s.outcome.requestId));
    expect(records[0]!.metrics.RowsRead).to.equal(1200);
    expect(records[2]!.errorType).to.equal('InvalidInput');
  });

  it('counts every S3 request by price class (a retried one twice), and the bytes each way, as they went over the wire', () => {
    records.forEach((record, i) => {
      const { s3 } = sent[i]!;
      const expected = { get: 0, put: 0, list: 0, other: 0, delete: 0 };
      for (const r of s3) expected[s3ClassOf(r)] += 1;
      expect(record.s3Requests, `invocation ${i}`).to.deep.equal(expected);
      const bytesRead = s3.filter((r) => r.method === 'GET' && s3ClassOf(r) === 'get').reduce((n, r) => n + r.responseBytes, 0);
      const bytesWritten = s3.filter((r) => r.method === 'PUT').reduce((n, r) => n + r.requestBytes, 0);
      // Sent twice when retried, and counted twice, as S3 counts requests.
      expect(record.metrics.S3BytesRead, `invocation ${i} bytes read`).to.equal(bytesRead);
      expect(record.metrics.S3BytesWritten, `invocation ${i} bytes written`).to.equal(bytesWritten);
    });
    // The fixture's PUT, GET, HEAD of a missing key and LIST, on every run.
    expect(records[0]!.s3Requests).to.deep.include({ put: 1, get: 1, other: 1, list: 1 });
    expect(records[0]!.metrics.S3BytesWritten).to.equal('hello metrics'.length);
    expect(sent[3]!.s3.filter((r) => r.method === 'PUT').map((r) => r.status)).to.deep.equal([503, 200]);
    expect(records[3]!.s3Requests.put).to.equal(2);
  });

  it('counts DynamoDB requests and their units: one per small write (a failed condition too), one per consistent read', () => {
    records.forEach((record, i) => {
      const { dynamodb } = sent[i]!;
      const reads = dynamodb.filter((r) => READ_OPERATIONS.has(r.operation ?? ''));
      // The units rule below holds for single-item reads only.
      expect(reads.every((r) => r.operation === 'GetItem'), `invocation ${i} reads ${reads.map((r) => r.operation)}`).to.equal(true);
      expect(record.dynamodb.requests, `invocation ${i}`).to.equal(dynamodb.length);
      // Every progress item is under 1 KB (one write unit) and 4 KB (one strongly consistent read unit).
      expect(record.dynamodb.writeUnits, `invocation ${i}`).to.equal(dynamodb.length - reads.length);
      expect(record.dynamodb.readUnits, `invocation ${i}`).to.equal(reads.length);
    });
    // The second run of emf-a finds its task done: conditional writes that fail (HTTP 400) and a read.
    expect(sent[1]!.dynamodb.some((r) => r.status === 400)).to.equal(true);
    expect(records[1]!.dynamodb.readUnits).to.be.greaterThan(0);
  });

  it('reads back one job’s records', async () => {
    const a = await readMetrics({ dataDir, jobId: 'emf-a' });
    expect(a.map((r) => r.requestId)).to.deep.equal([sent[0]!.outcome.requestId, sent[1]!.outcome.requestId]);
    const b = await readMetrics({ dataDir, jobId: 'emf-b' });
    expect(b.map((r) => r.outcome)).to.deep.equal(['failed']);
  });
});
