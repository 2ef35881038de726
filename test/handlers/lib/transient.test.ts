// S3 and DynamoDB failures the next attempt may not see must reach the ASL as TransientError (the name
// its Retry blocks list); 4xx answers must keep their meaning.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TransientError, InputNotFound } from '../../../handlers/lib/errors';
import * as progress from '../../../handlers/lib/progress';
import * as s3 from '../../../handlers/lib/s3';
import { asTransient, isTransient } from '../../../handlers/lib/transient';
import { applyEnv } from '../../../local/process-env';
import { rejection } from '../../support/rejection';


type Answer = { status: number; type: string; body: string };

/** A server answering every S3 request with `s3` and every DynamoDB request with `dynamo`. */
async function fakeAws(s3Answer: Answer, dynamoAnswer: Answer): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    const a = String(req.headers['x-amz-target'] ?? '').includes('DynamoDB') ? dynamoAnswer : s3Answer;
    res.writeHead(a.status, { 'content-type': a.type });
    res.end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const xmlError = (code: string) => `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${code} happened</Message></Error>`;
const jsonError = (type: string) => JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'Rate exceeded' });

function envFor(endpoint: string): Record<string, string> {
  return {
    LONGHAUL_BUCKET: 'b',
    LONGHAUL_TABLE: 't',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'y',
    // One attempt: the SDK's own retries would only slow the test down.
    AWS_MAX_ATTEMPTS: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

describe('handlers/lib/transient', () => {
  it('turns S3 SlowDown (503) and DynamoDB throttling into TransientError naming the operation and key', async () => {
    const server = await fakeAws(
      { status: 503, type: 'application/xml', body: xmlError('SlowDown') },
      { status: 400, type: 'application/x-amz-json-1.0', body: jsonError('ThrottlingException') },
    );
    const restore = applyEnv(envFor(server.endpoint));
    try {
      for (const [call, key] of [
        [() => s3.getJson('jobs/a/work/x.json'), 'jobs/a/work/x.json'],
        [() => s3.head('jobs/a/work/h.json'), 'jobs/a/work/h.json'],
        [() => s3.putBuffer('jobs/a/work/p.bin', 'x'), 'jobs/a/work/p.bin'],
        [() => s3.listKeys('jobs/a/'), 'jobs/a/'],
      ] as const) {
        const err = await rejection(call());
        expect(err, key).to.be.instanceOf(TransientError);
        expect(err.name).to.equal('TransientError');
        expect(err.message).to.include(key);
        // A HEAD answer has no body, so only the status tells it is a 503.
        if (!key.endsWith('h.json')) expect((err.cause as Error).name).to.equal('SlowDown');
      }
      const throttled = await rejection(progress.recordTaskStart('a', 'chunk-00000'));
      expect(throttled).to.be.instanceOf(TransientError);
      expect(throttled.message).to.include('JOB#a').and.include('TASK#chunk-00000').and.include('ThrottlingException');
      expect(await rejection(progress.getJob('a'))).to.be.instanceOf(TransientError);
    } finally {
      restore();
      await server.close();
    }
  });

  it('keeps 4xx answers as they are: NoSuchKey stays InputNotFound, AccessDenied stays AccessDenied', async () => {
    const server = await fakeAws(
      { status: 404, type: 'application/xml', body: xmlError('NoSuchKey') },
      { status: 400, type: 'application/x-amz-json-1.0', body: jsonError('ConditionalCheckFailedException') },
    );
    const restore = applyEnv(envFor(server.endpoint));
    try {
      expect(await rejection(s3.getJson('jobs/a/input/x.json'))).to.be.instanceOf(InputNotFound);
    } finally {
      restore();
      await server.close();
    }
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(isTransient(denied)).to.equal(false);
    expect(asTransient(denied, 'GetObject k')).to.equal(denied);
  });

  it('treats a refused connection as transient', async () => {
    const server = await fakeAws({ status: 200, type: 'text/plain', body: '' }, { status: 200, type: 'text/plain', body: '' });
    const endpoint = server.endpoint;
    await server.close(); // nothing listens there any more
    const restore = applyEnv(envFor(endpoint));
    try {
      const err = await rejection(s3.getText('jobs/a/work/gone.txt'));
      expect(err).to.be.instanceOf(TransientError);
      expect(err.message).to.include('jobs/a/work/gone.txt');
    } finally {
      restore();
    }
  });

  it('recognises each transient shape, and only those', () => {
    const e = (props: Record<string, unknown>) => Object.assign(new Error('x'), props);
    for (const yes of [
      e({ $retryable: {} }),
      e({ $metadata: { httpStatusCode: 500 } }),
      e({ name: 'ProvisionedThroughputExceededException' }),
      e({ name: 'RequestLimitExceeded' }),
      e({ name: 'TimeoutError' }),
      e({ name: 'RequestTimeout' }),
      e({ code: 'ETIMEDOUT' }),
      e({ code: 'EPIPE' }),
      e({ cause: e({ code: 'ECONNRESET' }) }),
    ]) {
      expect(isTransient(yes), JSON.stringify(yes)).to.equal(true);
    }
    for (const no of [e({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }), e({ name: 'ConditionalCheckFailedException' }), e({ code: 'ENOSPC' }), 'text', null]) {
      expect(isTransient(no)).to.equal(false);
    }
  });
});
