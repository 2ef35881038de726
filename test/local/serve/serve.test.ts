// `longhaul serve` as users drive it: the AWS CLI v2 and the SDK against one endpoint, with nothing but
// `--endpoint-url` (CLI) or the printed environment (SDK) to find it.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { catalog } from '../../../handlers/catalog';
import { describeServe } from '../../../local/cli/serve';
import { LOCAL_DEFAULTS } from '../../../local/services';
import { startServe, type Serve } from '../../../local/serve/serve';
import { rejection } from '../../support/rejection';
import { awsCli } from '../../support/aws-cli';


describe('longhaul serve: the AWS CLI and SDK against one endpoint', function () {
  this.timeout(60_000);
  let serve: Serve;
  let work: string;
  let printedEnv: Record<string, string>;
  const problems: string[] = [];

  before(async function () {
    work = await mkdtemp(join(tmpdir(), 'longhaul-serve-test-'));
    serve = await startServe({
      dataDir: join(work, 'data'),
      port: 0,
      naming: { prefix: 'longhaul', stackName: 'dev' },
      onLog: () => {},
      onProblem: (text) => problems.push(text),
    });
    // The environment the server prints is what the clients below get.
    printedEnv = Object.fromEntries([...describeServe(serve).matchAll(/^ {2}export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  });

  after(async function () {
    await serve?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The AWS CLI v2 with the printed credentials and region only (no config files of this machine). */
  const cli = () =>
    awsCli({
      endpoint: serve.endpoint,
      home: work,
      accessKeyId: printedEnv.AWS_ACCESS_KEY_ID!,
      secretAccessKey: printedEnv.AWS_SECRET_ACCESS_KEY!,
      region: printedEnv.AWS_DEFAULT_REGION!,
    });
  const aws = (...args: string[]) => cli().run(...args);
  const awsJson = (...args: string[]) => cli().json(...args);

  function lambdaClient(): LambdaClient {
    return new LambdaClient({
      endpoint: printedEnv.AWS_ENDPOINT_URL,
      region: printedEnv.AWS_REGION,
      credentials: { accessKeyId: printedEnv.AWS_ACCESS_KEY_ID!, secretAccessKey: printedEnv.AWS_SECRET_ACCESS_KEY! },
    });
  }

  it('prints an environment that names this endpoint and the local key pair', () => {
    expect(printedEnv.AWS_ENDPOINT_URL).to.equal(serve.endpoint);
    expect(printedEnv.AWS_ACCESS_KEY_ID).to.equal(LOCAL_DEFAULTS.credentials.accessKeyId);
    expect(printedEnv.AWS_SECRET_ACCESS_KEY).to.equal(LOCAL_DEFAULTS.credentials.secretAccessKey);
    expect(serve.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('s3 cp uploads (multipart) and downloads the same bytes; s3api list-objects-v2 lists them', async () => {
    // Over the CLI's 8 MB multipart threshold, so parts and the completion go through too.
    const bytes = randomBytes(9 * 1024 * 1024 + 3);
    await writeFile(join(work, 'up.bin'), bytes);
    const key = 'jobs/serve-cli/input/up.bin';
    const up = await aws('s3', 'cp', join(work, 'up.bin'), `s3://${serve.bucket}/${key}`);
    expect(up.code, up.stderr).to.equal(0);
    const down = await aws('s3', 'cp', `s3://${serve.bucket}/${key}`, join(work, 'down.bin'));
    expect(down.code, down.stderr).to.equal(0);
    expect((await readFile(join(work, 'down.bin'))).equals(bytes)).to.equal(true);

    const listed = await awsJson('s3api', 'list-objects-v2', '--bucket', serve.bucket, '--prefix', 'jobs/serve-cli/');
    expect((listed.Contents as { Key: string; Size: number }[]).map((o) => [o.Key, o.Size])).to.deep.equal([[key, bytes.length]]);
  });

  it('an S3 client given only the printed endpoint, region, keys and checksum setting reads and writes the bucket', async () => {
    const s3 = new S3Client({
      endpoint: printedEnv.AWS_ENDPOINT_URL,
      region: printedEnv.AWS_REGION,
      credentials: { accessKeyId: printedEnv.AWS_ACCESS_KEY_ID!, secretAccessKey: printedEnv.AWS_SECRET_ACCESS_KEY! },
      requestChecksumCalculation: printedEnv.AWS_REQUEST_CHECKSUM_CALCULATION as 'WHEN_REQUIRED',
      responseChecksumValidation: printedEnv.AWS_RESPONSE_CHECKSUM_VALIDATION as 'WHEN_REQUIRED',
    });
    try {
      const body = randomBytes(100_000);
      await s3.send(new PutObjectCommand({ Bucket: serve.bucket, Key: 'jobs/serve-sdk/input/x.bin', Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: serve.bucket, Key: 'jobs/serve-sdk/input/x.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).to.equal(true);
    } finally {
      s3.destroy();
    }
  });

  it("lists the pipelines' state machines under their deployed names", async () => {
    const listed = await awsJson('stepfunctions', 'list-state-machines');
    const names = (listed.stateMachines as { name: string; stateMachineArn: string }[]).map((m) => m.name);
    expect(names).to.include.members(['longhaul-dev-video', 'longhaul-dev-etl', 'longhaul-dev-ml']);
    expect(serve.stateMachineArns.video).to.equal('arn:aws:states:us-east-1:000000000000:stateMachine:longhaul-dev-video');
  });

  it("runs a pipeline's execution through deployed function ARNs; dynamodb get-item and scan read the job it recorded", async () => {
    const jobId = 'serve-missing-input';
    const input = JSON.stringify({ jobId, input: { key: `jobs/${jobId}/input/nothing.mp4` } });
    const started = await awsJson('stepfunctions', 'start-execution', '--state-machine-arn', serve.stateMachineArns.video!, '--name', jobId, '--input', input);
    const executionArn = started.executionArn as string;
    // Polled through the SDK (a CLI call costs a second of start-up), then described once by the CLI.
    const sfn = new SFNClient({
      endpoint: printedEnv.AWS_ENDPOINT_URL,
      region: printedEnv.AWS_REGION,
      credentials: { accessKeyId: printedEnv.AWS_ACCESS_KEY_ID!, secretAccessKey: printedEnv.AWS_SECRET_ACCESS_KEY! },
    });
    try {
      for (let i = 0; i < 200; i++) {
        if ((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status !== 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      sfn.destroy();
    }
    const described = await awsJson('stepfunctions', 'describe-execution', '--execution-arn', executionArn);
    // Probe (longhaul-dev-video-probe) finds no input; RecordFailure (longhaul-dev-record-failure) records it.
    expect(described.status).to.equal('FAILED');
    expect(described.error).to.equal('InputNotFound');

    const item = await awsJson('dynamodb', 'get-item', '--table-name', serve.table, '--key', JSON.stringify({ pk: { S: `JOB#${jobId}` }, sk: { S: 'JOB' } }));
    const record = item.Item as Record<string, { S?: string }>;
    expect(record.status?.S).to.equal('FAILED');
    expect(record.error?.S).to.equal('InputNotFound');
    const scanned = await awsJson('dynamodb', 'scan', '--table-name', serve.table);
    expect((scanned.Items as Record<string, { S?: string }>[]).map((i) => i.pk?.S)).to.include(`JOB#${jobId}`);
  });

  it('lambda list-functions gives every catalog function under its deployed name, page by page', async () => {
    // A page size below the count makes the CLI follow NextMarker.
    const listed = await awsJson('lambda', 'list-functions', '--page-size', '5');
    const functions = listed.Functions as { FunctionName: string; FunctionArn: string; Runtime: string }[];
    expect(functions).to.have.length(catalog.length);
    expect(functions.map((f) => f.FunctionName)).to.include.members(['longhaul-dev-video-probe', 'longhaul-dev-record-failure', 'longhaul-dev-etl-transform']);
    expect(new Set(functions.map((f) => f.Runtime))).to.deep.equal(new Set(['nodejs22.x']));
    expect(functions.find((f) => f.FunctionName === 'longhaul-dev-video-probe')?.FunctionArn).to.equal(
      'arn:aws:lambda:us-east-1:000000000000:function:longhaul-dev-video-probe',
    );
  });

  it("lambda get-function describes a function with its catalog entry's sizing", async () => {
    const spec = catalog.find((f) => f.name === 'VideoTranscodeChunk')!;
    const got = await awsJson('lambda', 'get-function', '--function-name', 'longhaul-dev-video-transcode-chunk');
    const config = got.Configuration as Record<string, unknown>;
    expect(config).to.include({ FunctionName: 'longhaul-dev-video-transcode-chunk', Handler: 'index.handler', PackageType: 'Zip' });
    expect(config).to.include({ MemorySize: spec.memoryMb, Timeout: spec.timeoutSeconds });
    expect(config.EphemeralStorage).to.deep.equal({ Size: spec.ephemeralStorageMb });
    expect(config.Architectures).to.deep.equal(['x86_64']);
    expect(Object.keys((config.Environment as { Variables: object }).Variables)).to.include.members(['LONGHAUL_BUCKET', 'LONGHAUL_TABLE']);
    expect((got.Code as { Location: string }).Location).to.match(/handlers\/video\/transcode-chunk\.ts$/);
  });

  it("lambda invoke with a bad event returns the function's error as Lambda does", async () => {
    const out = join(work, 'invoke-out.json');
    const result = await aws('lambda', 'invoke', '--function-name', 'longhaul-dev-video-probe', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{}', out);
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '$LATEST' });
    const error = JSON.parse(await readFile(out, 'utf8')) as { errorType: string; errorMessage: string; trace: string[] };
    expect(error.errorType).to.equal('InvalidInput');
    expect(error.errorMessage).to.contain('jobId');
    expect(error.trace).to.be.an('array');
  });

  it('SDK Invoke returns the payload (RequestResponse) and 202 for an Event invocation, which then runs', async () => {
    const client = lambdaClient();
    try {
      const sync = await client.send(new InvokeCommand({ FunctionName: 'longhaul-dev-record-failure', Payload: Buffer.from('{}') }));
      expect(sync.StatusCode).to.equal(200);
      expect(sync.FunctionError).to.equal(undefined);
      expect(JSON.parse(Buffer.from(sync.Payload!).toString())).to.deep.equal({ recorded: false, jobId: null, error: 'Unknown', cause: '' });

      const before = serve.stack.lambda.stats().invocations;
      const queued = await client.send(new InvokeCommand({ FunctionName: 'longhaul-dev-record-failure', InvocationType: 'Event', Payload: Buffer.from('{}') }));
      expect(queued.StatusCode).to.equal(202);
      expect(queued.Payload?.length ?? 0).to.equal(0);
      for (let i = 0; i < 100 && serve.stack.lambda.stats().invocations === before; i++) await new Promise((r) => setTimeout(r, 50));
      expect(serve.stack.lambda.stats().invocations).to.equal(before + 1);

      const dry = await client.send(new InvokeCommand({ FunctionName: 'longhaul-dev-record-failure', InvocationType: 'DryRun', Payload: Buffer.from('{}') }));
      expect(dry.StatusCode).to.equal(204);
    } finally {
      client.destroy();
    }
  });

  it('refuses payloads over the Invoke quotas with 413 before running anything: 6 MB sync, 1 MB Event', async () => {
    const client = lambdaClient();
    try {
      const invocations = serve.stack.lambda.stats().invocations;
      const pad = (bytes: number) => Buffer.from(JSON.stringify({ pad: 'x'.repeat(bytes) }));
      const sync = await rejection(client.send(new InvokeCommand({ FunctionName: 'longhaul-dev-record-failure', Payload: pad(7 * 1024 * 1024) })));
      expect(sync.name).to.equal('RequestEntityTooLargeException');
      expect((sync as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).to.equal(413);
      expect(sync.message).to.contain('6291456');
      const event = await rejection(client.send(new InvokeCommand({ FunctionName: 'longhaul-dev-record-failure', InvocationType: 'Event', Payload: pad(1_100_000) })));
      expect(event.name).to.equal('RequestEntityTooLargeException');
      expect(event.message).to.contain('1048576');
      expect(serve.stack.lambda.stats().invocations).to.equal(invocations);
    } finally {
      client.destroy();
    }
  });

  it("answers an unknown function with 404 in Lambda's error shape", async () => {
    const response = await fetch(`${serve.endpoint}/2015-03-31/functions/VideoProbe/invocations`, { method: 'POST', body: '{}' });
    expect(response.status).to.equal(404);
    expect(response.headers.get('x-amzn-errortype')).to.equal('ResourceNotFoundException');
    const body = (await response.json()) as { Type: string; Message: string };
    expect(body.Type).to.equal('User');
    expect(body.Message).to.contain('Function not found: arn:aws:lambda:us-east-1:000000000000:function:VideoProbe');

    const client = lambdaClient();
    try {
      const error = await rejection(client.send(new GetFunctionCommand({ FunctionName: 'longhaul-dev-no-such-thing' })));
      expect(error.name).to.equal('ResourceNotFoundException');
    } finally {
      client.destroy();
    }
  });

  it('answers malformed JSON to the Step Functions target with SerializationException', async () => {
    const response = await fetch(serve.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSStepFunctions.ListStateMachines', 'content-type': 'application/x-amz-json-1.0' },
      body: '{"maxResults": ',
    });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { __type: string }).__type).to.equal('SerializationException');
  });

  it('refuses a second server on the same data dir with a clear error, and the first keeps serving', async () => {
    const error = await rejection(startServe({ dataDir: serve.dataDir, port: 0, naming: { prefix: 'longhaul', stackName: 'dev' }, onLog: () => {} }));
    expect(error.message).to.contain(`Data directory ${serve.dataDir} is already used`);
    const listed = await awsJson('stepfunctions', 'list-state-machines');
    expect(listed.stateMachines).to.have.length.of.at.least(3);
  });

  it('refuses a taken port with a clear error and leaves its data dir free for the next try', async () => {
    const dataDir = join(work, 'second');
    const error = await rejection(startServe({ dataDir, port: serve.port, naming: { prefix: 'longhaul', stackName: 'dev' }, onLog: () => {} }));
    expect(error.message).to.contain(`port ${serve.port} on 127.0.0.1 is already in use`);
    const retried = await startServe({ dataDir, port: 0, naming: { prefix: 'longhaul', stackName: 'dev' }, onLog: () => {} });
    await retried.stop();
  });

  it('reported no server problems on the way', () => {
    expect(problems).to.deep.equal([]);
  });
});
