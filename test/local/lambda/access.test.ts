// The runner gives each worker its function's IAM grant, and handlers/lib's clients refuse the rest as
// AWS would: a handler touching a key its catalog entry does not grant fails locally, not after deploy.
import { expect } from 'chai';
import * as s3 from '../../../handlers/lib/s3';
import { matchesIamPattern, type LocalAccessGrant } from '../../../handlers/lib/local-access';
import { accessGrantFor } from '../../../local/lambda/access-grant';
import { createLambdaRuntime, type LambdaRuntime, type RuntimeInvokeOutcome } from '../../../local/lambda/runtime';
import { fixtureFunction } from '../../support/fixture-function';
import { useLocalServices } from '../../support/services';

function errorOf(outcome: RuntimeInvokeOutcome) {
  if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.payload)}`);
  return outcome.error;
}

function payloadOf(outcome: RuntimeInvokeOutcome): unknown {
  if (!outcome.ok) throw new Error(`expected success, got ${JSON.stringify(outcome.error)}`);
  return outcome.payload;
}

describe('local/lambda access enforcement', function () {
  this.timeout(60_000);
  const services = useLocalServices();
  let runtime: LambdaRuntime;
  const narrow = fixtureFunction('Narrow', { s3: { read: ['jobs/*/input/*'], write: ['jobs/*/work/*'] }, table: 'read' });

  before(() => {
    runtime = createLambdaRuntime({
      functions: [narrow, fixtureFunction('Writer', { table: 'write' })],
      env: services().env,
      onLog: () => {},
    });
  });
  after(() => runtime.close());

  it('allows what the catalog grants and refuses the rest with S3 AccessDenied naming function, operation and key', async () => {
    await s3.putBuffer('jobs/j/input/in.txt', 'source');
    expect(payloadOf(await runtime.invoke('Narrow', { action: 's3-get', key: 'jobs/j/input/in.txt' }))).to.deep.equal({ text: 'source' });
    expect(payloadOf(await runtime.invoke('Narrow', { action: 's3-put', key: 'jobs/j/work/deep/out.txt', text: 'x' }))).to.deep.equal({
      stored: 'jobs/j/work/deep/out.txt',
    });

    for (const [action, key, operation] of [
      ['s3-put', 'jobs/j/output/video.mp4', 'PutObject'],
      ['s3-get', 'jobs/j/work/deep/out.txt', 'GetObject'], // written, but not readable by this role
      ['s3-put', 'jobs/j/input/in.txt', 'PutObject'],
    ] as const) {
      const error = errorOf(await runtime.invoke('Narrow', { action, key, text: 'y' }));
      expect(error.errorType, key).to.equal('AccessDenied');
      expect(error.errorMessage).to.include('Narrow').and.include(operation).and.include(key);
    }
    expect(await s3.exists('jobs/j/output/video.mp4')).to.equal(false);
    expect(await s3.getText('jobs/j/input/in.txt')).to.equal('source');
  });

  it('refuses progress-table writes to a function granted only read, and allows them with write', async () => {
    const denied = errorOf(await runtime.invoke('Narrow', { action: 'progress-start', jobId: 'acc-1' }));
    expect(denied.errorType).to.equal('AccessDeniedException');
    expect(denied.errorMessage).to.include('Narrow').and.include('dynamodb:UpdateItem');
    expect(payloadOf(await runtime.invoke('Writer', { action: 'progress-start', jobId: 'acc-1' }))).to.deep.equal({ started: 'acc-1' });
  });

  it('grants exactly what the deployed policy grants', () => {
    const sorted = (grant: LocalAccessGrant) => ({
      ...grant,
      objectActions: Object.fromEntries(Object.entries(grant.objectActions).map(([action, keys]) => [action, [...keys].sort()])),
      bucketActions: [...grant.bucketActions].sort(),
      tableActions: [...grant.tableActions].sort(),
    });
    expect(sorted(accessGrantFor(narrow, 'b'))).to.deep.equal({
      functionName: 'Narrow',
      bucket: 'b',
      objectActions: {
        's3:GetObject': ['jobs/*/input/*'],
        's3:AbortMultipartUpload': ['jobs/*/work/*'],
        's3:DeleteObject': ['jobs/*/work/*'],
        's3:PutObject': ['jobs/*/work/*'],
        's3:PutObjectTagging': ['jobs/*/work/*'],
      },
      bucketActions: ['s3:ListBucket'],
      tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    });
    const reader = fixtureFunction('Reader', { s3: { read: ['jobs/*/work/*', 'jobs/*/input/*'], write: [] }, table: 'write' });
    expect(sorted(accessGrantFor(reader, 'data'))).to.deep.equal({
      functionName: 'Reader',
      bucket: 'data',
      objectActions: { 's3:GetObject': ['jobs/*/input/*', 'jobs/*/work/*'] },
      bucketActions: ['s3:ListBucket'],
      tableActions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    });
    const writer = fixtureFunction('OnlyWrites', { s3: { read: [], write: ['jobs/*/output/*'] } });
    expect(sorted(accessGrantFor(writer, 'b'))).to.deep.equal({
      functionName: 'OnlyWrites',
      bucket: 'b',
      objectActions: {
        's3:AbortMultipartUpload': ['jobs/*/output/*'],
        's3:DeleteObject': ['jobs/*/output/*'],
        's3:PutObject': ['jobs/*/output/*'],
        's3:PutObjectTagging': ['jobs/*/output/*'],
      },
      bucketActions: [],
      tableActions: [],
    });
    expect(accessGrantFor(fixtureFunction('None'), 'b')).to.deep.equal({
      functionName: 'None',
      bucket: 'b',
      objectActions: {},
      bucketActions: [],
      tableActions: [],
    });
  });

  it("matches IAM's wildcards: * across slashes, ? one character, nothing else special", () => {
    expect(matchesIamPattern('jobs/*/work/*', 'jobs/a/work/b/c.bin')).to.equal(true);
    expect(matchesIamPattern('jobs/*/work/*', 'jobs/a/output/x')).to.equal(false);
    expect(matchesIamPattern('jobs/?/in', 'jobs/a/in')).to.equal(true);
    expect(matchesIamPattern('jobs/?/in', 'jobs/ab/in')).to.equal(false);
    expect(matchesIamPattern('a.b', 'axb')).to.equal(false);
  });
});
