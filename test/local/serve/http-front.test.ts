import { expect } from 'chai';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApiError, type JsonProtocolApi } from '../../../local/serve/api-types';
import { exposureWarning, isLoopback, startHttpFront, type HttpFront } from '../../../local/serve/http-front';

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

/** A stand-in for s3rver or dynalite: records each request, answers with `answer`. */
async function fakeUpstream(answer: (seen: Seen, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
      seen.push(entry);
      answer(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, endpoint, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(front: HttpFront, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer | string; chunks?: Buffer[] }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: front.port, method: opts.method ?? 'POST', path: opts.path ?? '/', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    for (const chunk of opts.chunks ?? []) req.write(chunk);
    req.end(opts.body);
  });
}

/** A header's first value in node's raw list ([name, value, name, value…]). */
function header(raw: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) return raw[i + 1];
  return undefined;
}

describe('serve: the HTTP front', () => {
  const sfnCalls: { action: string; body: Record<string, unknown> }[] = [];
  const sfn: JsonProtocolApi = async (action, body) => {
    sfnCalls.push({ action, body });
    if (action === 'DescribeExecution') throw new ApiError('ExecutionDoesNotExist', 'Execution Does Not Exist: x');
    if (action === 'Throttled') throw new ApiError('ThrottlingException', 'slow down', 429);
    if (action === 'Broken') throw new Error('a bug');
    return { echoed: body };
  };
  const lambdaCalls: string[] = [];
  const errors: Error[] = [];
  let s3: Awaited<ReturnType<typeof fakeUpstream>>;
  let dynamodb: Awaited<ReturnType<typeof fakeUpstream>>;
  let front: HttpFront;

  before(async () => {
    s3 = await fakeUpstream((seen, res) => {
      res.writeHead(206, { 'x-upstream': 's3', etag: '"abc"' });
      res.end(seen.body.length > 0 ? seen.body : 'from s3');
    });
    dynamodb = await fakeUpstream((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{"TableNames":[]}');
    });
    front = await startHttpFront({
      port: 0,
      sfn,
      lambda: async (req, res) => {
        lambdaCalls.push(`${req.method} ${req.url}`);
        res.writeHead(200);
        res.end('lambda');
      },
      s3: s3.endpoint,
      dynamodb: dynamodb.endpoint,
      onError: (err) => errors.push(err),
    });
  });

  after(async () => {
    await front?.close();
    await s3?.close();
    await dynamodb?.close();
  });

  it('listens on loopback by default, on the port it was given (0: a free one)', () => {
    expect(front.host).to.equal('127.0.0.1');
    expect(front.port).to.be.above(0);
    expect(front.endpoint).to.equal(`http://127.0.0.1:${front.port}`);
  });

  it('passes S3 requests through unchanged: method, path, query, Host and body, streamed back with status and headers', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const reply = await request(front, {
      method: 'PUT',
      path: '/longhaul-local/jobs/a%20b/input/x.bin?partNumber=2&uploadId=u-1',
      headers: { host: 'signed-host.test:4566', authorization: 'AWS4-HMAC-SHA256 Credential=x', expect: '100-continue', 'content-length': String(body.length) },
      body,
    });
    expect(reply.status).to.equal(206);
    expect(reply.headers['x-upstream']).to.equal('s3');
    expect(reply.headers.etag).to.equal('"abc"');
    expect(reply.body.equals(body)).to.equal(true);
    const seen = s3.seen.at(-1)!;
    expect(seen.method).to.equal('PUT');
    expect(seen.url).to.equal('/longhaul-local/jobs/a%20b/input/x.bin?partNumber=2&uploadId=u-1');
    expect(header(seen.rawHeaders, 'host')).to.equal('signed-host.test:4566');
    expect(header(seen.rawHeaders, 'authorization')).to.equal('AWS4-HMAC-SHA256 Credential=x');
    expect(header(seen.rawHeaders, 'expect')).to.equal(undefined);
    expect(seen.body.equals(body)).to.equal(true);
  });

  it('passes a chunked upload through whole', async () => {
    const parts = [randomBytes(70_000), randomBytes(5), randomBytes(200_000)];
    const reply = await request(front, { method: 'PUT', path: '/b/chunked', chunks: parts });
    expect(reply.status).to.equal(206);
    expect(s3.seen.at(-1)!.body.equals(Buffer.concat(parts))).to.equal(true);
  });

  it('sends DynamoDB targets to dynalite and Lambda paths to the Lambda API', async () => {
    const before = s3.seen.length;
    const dynamo = await request(front, { headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' });
    expect(dynamo.body.toString()).to.equal('{"TableNames":[]}');
    expect(header(dynamodb.seen.at(-1)!.rawHeaders, 'x-amz-target')).to.equal('DynamoDB_20120810.ListTables');
    const lambda = await request(front, { method: 'GET', path: '/2015-03-31/functions/?MaxItems=2' });
    expect(lambda.body.toString()).to.equal('lambda');
    expect(lambdaCalls).to.deep.equal(['GET /2015-03-31/functions/?MaxItems=2']);
    expect(s3.seen.length).to.equal(before);
  });

  it('answers Step Functions targets from the API, in the JSON protocol', async () => {
    const reply = await request(front, { headers: { 'x-amz-target': 'AWSStepFunctions.ListExecutions', 'content-type': 'application/x-amz-json-1.0' }, body: '{"maxResults":3}' });
    expect(reply.status).to.equal(200);
    expect(reply.headers['content-type']).to.equal('application/x-amz-json-1.0');
    expect(JSON.parse(reply.body.toString())).to.deep.equal({ echoed: { maxResults: 3 } });
    expect(sfnCalls.at(-1)).to.deep.equal({ action: 'ListExecutions', body: { maxResults: 3 } });
  });

  it("writes the API's errors as AWS does: __type and message, 400 or the error's status", async () => {
    const missing = await request(front, { headers: { 'x-amz-target': 'AWSStepFunctions.DescribeExecution' }, body: '{}' });
    expect(missing.status).to.equal(400);
    expect(JSON.parse(missing.body.toString())).to.deep.equal({ __type: 'ExecutionDoesNotExist', message: 'Execution Does Not Exist: x' });
    const throttled = await request(front, { headers: { 'x-amz-target': 'AWSStepFunctions.Throttled' }, body: '{}' });
    expect(throttled.status).to.equal(429);
    const broken = await request(front, { headers: { 'x-amz-target': 'AWSStepFunctions.Broken' }, body: '{}' });
    expect(broken.status).to.equal(500);
    expect(JSON.parse(broken.body.toString()).__type).to.equal('InternalFailure');
    expect(errors.map((e) => e.message)).to.include('a bug');
  });

  it('refuses a body that is not a JSON object with SerializationException, before the API sees it', async () => {
    const calls = sfnCalls.length;
    for (const body of ['{"maxResults": 3', '[1,2]', 'null']) {
      const reply = await request(front, { headers: { 'x-amz-target': 'AWSStepFunctions.ListExecutions' }, body });
      expect(reply.status, body).to.equal(400);
      expect(JSON.parse(reply.body.toString()).__type, body).to.equal('SerializationException');
    }
    expect(sfnCalls.length).to.equal(calls);
  });

  it('refuses Step Functions requests over 1 MB, declared or chunked, with 413', async () => {
    const big = Buffer.alloc(1_048_577, 0x20);
    const declared = await request(front, { headers: { 'x-amz-target': 'AWSStepFunctions.CreateStateMachine', 'content-length': String(big.length) }, body: big });
    expect(declared.status).to.equal(413);
    const refused = JSON.parse(declared.body.toString());
    expect(refused.__type).to.equal('RequestEntityTooLargeException');
    expect(refused.message).to.contain('1048576');
    const chunked = await request(front, { headers: { 'x-amz-target': 'AWSStepFunctions.CreateStateMachine' }, chunks: [big.subarray(0, 600_000), big.subarray(600_000)] });
    expect(chunked.status).to.equal(413);
  });

  it('answers 502 when an upstream server is gone', async () => {
    const gone = await fakeUpstream((_s, res) => res.end());
    await gone.close();
    const lonely = await startHttpFront({ port: 0, sfn, lambda: async () => {}, s3: gone.endpoint, dynamodb: gone.endpoint, onError: () => {} });
    try {
      const reply = await request(lonely, { method: 'GET', path: '/bucket' });
      expect(reply.status).to.equal(502);
      expect(reply.body.toString()).to.contain('did not answer');
    } finally {
      await lonely.close();
    }
  });

  it('says which port is taken when it cannot listen', async () => {
    let error: Error | undefined;
    try {
      await startHttpFront({ port: front.port, sfn, lambda: async () => {}, s3: s3.endpoint, dynamodb: dynamodb.endpoint, onError: () => {} });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.contain(`port ${front.port} on 127.0.0.1 is already in use`);
  });
});

describe('serve: listening beyond this machine', () => {
  it('is quiet on loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost']) {
      expect(isLoopback(host), host).to.equal(true);
      expect(exposureWarning(host), host).to.equal(undefined);
    }
  });

  it('warns, naming the address, on anything else', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'my-laptop.local']) {
      const warning = exposureWarning(host);
      expect(warning, host).to.contain(host);
      expect(warning, host).to.contain('no authentication');
    }
  });
});
