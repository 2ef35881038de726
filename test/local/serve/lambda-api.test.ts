// The Lambda REST API over a fake runner: routes, pagination, invocation types and error shapes.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionSpec } from '../../../handlers/catalog-types';
import type { InvokeOutcome, LambdaError } from '../../../local/lambda/types';
import { deployedNames, type DeployedFunction } from '../../../local/serve/deployed-names';
import { functionConfiguration } from '../../../local/serve/function-configuration';
import { createLambdaApi } from '../../../local/serve/lambda-api';

const spec = (name: string): FunctionSpec => ({
  name,
  entry: `handlers/test/${name}.ts`,
  description: `the ${name} function`,
  memoryMb: 512,
  timeoutSeconds: 60,
  ephemeralStorageMb: 1024,
  layers: ['ffmpeg'],
  s3: { read: [], write: [] },
  table: 'none',
  env: { EXTRA: 'yes' },
});

const names = deployedNames({
  functions: ['Echo', 'Fails', 'Alpha', 'Beta', 'Gamma'].map(spec),
  region: 'us-east-1',
  config: { prefix: 'acme', stackName: 'test' },
});

describe('serve: the Lambda API', () => {
  const calls: { name: string; payload: unknown }[] = [];
  const asyncFailures: { fn: string; error: LambdaError }[] = [];
  const deployedAt = new Date('2026-03-04T05:06:07.089Z');
  let server: http.Server;
  let base: string;

  before(async () => {
    const api = createLambdaApi({
      names,
      runner: {
        async invoke(name, payload): Promise<InvokeOutcome> {
          calls.push({ name, payload });
          if (name === 'Fails') return { ok: false, error: { errorType: 'Boom', errorMessage: 'it broke', trace: ['Boom: it broke'] }, requestId: 'req-2', durationMs: 1 };
          return { ok: true, payload: { got: payload ?? null }, requestId: 'req-1', durationMs: 1 };
        },
      },
      configuration: (fn: DeployedFunction) => functionConfiguration(fn, { region: 'us-east-1', config: names.config, bucket: 'b', table: 't', deployedAt }),
      codePath: (fn) => `/repo/${fn.spec.entry}`,
      onError: (err) => {
        throw err;
      },
      onAsyncFailure: (fn, error) => asyncFailures.push({ fn: fn.functionName, error }),
    });
    server = http.createServer((req, res) => void api(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const invoke = (name: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, { method: 'POST', body, headers });

  async function expectError(response: Response, status: number, type: string, says: string): Promise<void> {
    expect(response.status).to.equal(status);
    expect(response.headers.get('x-amzn-errortype')).to.equal(type);
    const body = (await response.json()) as { Type: string; Message: string };
    expect(body.Type).to.equal('User');
    expect(body.Message).to.contain(says);
  }

  it('invokes by deployed name or ARN with the event parsed, answering with the payload and the version', async () => {
    const response = await invoke('acme-test-echo', '{"a":[1,2]}');
    expect(response.status).to.equal(200);
    expect(response.headers.get('x-amz-executed-version')).to.equal('$LATEST');
    expect(response.headers.get('x-amz-function-error')).to.equal(null);
    expect(response.headers.get('x-amzn-requestid')).to.equal('req-1');
    expect(await response.json()).to.deep.equal({ got: { a: [1, 2] } });
    await invoke('arn:aws:lambda:us-east-1:000000000000:function:acme-test-echo:$LATEST', '');
    expect(calls.slice(-2)).to.deep.equal([
      { name: 'Echo', payload: { a: [1, 2] } },
      { name: 'Echo', payload: undefined },
    ]);
  });

  it('answers a function error with 200, X-Amz-Function-Error and the error object', async () => {
    const response = await invoke('acme-test-fails', '{}');
    expect(response.status).to.equal(200);
    expect(response.headers.get('x-amz-function-error')).to.equal('Unhandled');
    expect(await response.json()).to.deep.equal({ errorType: 'Boom', errorMessage: 'it broke', trace: ['Boom: it broke'] });
  });

  it('queues Event invocations (202) and reports their failures, since nobody waits for them', async () => {
    const response = await invoke('acme-test-fails', '{"n":1}', { 'x-amz-invocation-type': 'Event' });
    expect(response.status).to.equal(202);
    expect(await response.text()).to.equal('');
    for (let i = 0; i < 50 && asyncFailures.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(asyncFailures).to.deep.equal([{ fn: 'acme-test-fails', error: { errorType: 'Boom', errorMessage: 'it broke', trace: ['Boom: it broke'] } }]);
  });

  it('checks a DryRun without running anything (204)', async () => {
    const before = calls.length;
    const response = await invoke('acme-test-echo', '{}', { 'x-amz-invocation-type': 'DryRun' });
    expect(response.status).to.equal(204);
    expect(calls.length).to.equal(before);
  });

  it('refuses bad invocations in Lambda error shape, naming what is wrong', async () => {
    await expectError(await invoke('acme-test-echo', '{"a":', {}), 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    await expectError(await invoke('acme-test-echo', '{}', { 'x-amz-invocation-type': 'Later' }), 400, 'InvalidParameterValueException', 'X-Amz-Invocation-Type');
    await expectError(await invoke('Echo', '{}'), 404, 'ResourceNotFoundException', 'function:Echo');
    await expectError(
      await fetch(`${base}/2015-03-31/functions/acme-test-echo/invocations?Qualifier=7`, { method: 'POST', body: '{}' }),
      404,
      'ResourceNotFoundException',
      'only the $LATEST version',
    );
  });

  it('lists functions sorted by name, MaxItems at a time, following NextMarker to the end', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({ MaxItems: '2', ...(marker ? { Marker: marker } : {}) });
      const page = (await (await fetch(`${base}/2015-03-31/functions/?${query}`)).json()) as { Functions: { FunctionName: string }[]; NextMarker?: string };
      expect(page.Functions.length).to.be.at.most(2);
      seen.push(...page.Functions.map((f) => f.FunctionName));
      marker = page.NextMarker;
      pages += 1;
    } while (marker);
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal(['acme-test-alpha', 'acme-test-beta', 'acme-test-echo', 'acme-test-fails', 'acme-test-gamma']);
  });

  it('refuses a MaxItems out of range and a marker it did not give', async () => {
    await expectError(await fetch(`${base}/2015-03-31/functions/?MaxItems=0`), 400, 'InvalidParameterValueException', 'MaxItems');
    await expectError(await fetch(`${base}/2015-03-31/functions/?Marker=bm9wZQ`), 400, 'InvalidParameterValueException', 'Marker');
  });

  it('describes a function as deployed: configuration and code location', async () => {
    const got = (await (await fetch(`${base}/2015-03-31/functions/acme-test-echo`)).json()) as { Configuration: Record<string, unknown>; Code: Record<string, string> };
    expect(got.Configuration).to.deep.include({
      FunctionName: 'acme-test-echo',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:acme-test-echo',
      Runtime: 'nodejs22.x',
      Role: 'arn:aws:iam::000000000000:role/acme-test-echo',
      Handler: 'index.handler',
      Description: 'the Echo function',
      MemorySize: 512,
      Timeout: 60,
      LastModified: '2026-03-04T05:06:07.089+0000',
      EphemeralStorage: { Size: 1024 },
      Layers: [{ Arn: 'arn:aws:lambda:us-east-1:000000000000:layer:acme-test-ffmpeg:1' }],
      // The stack's concurrency cap: its default, as this test's environment does not set LONGHAUL_MAX_CONCURRENCY.
      Environment: { Variables: { LONGHAUL_BUCKET: 'b', LONGHAUL_TABLE: 't', LONGHAUL_MAX_CONCURRENCY: '50', EXTRA: 'yes' } },
    });
    expect(got.Code).to.deep.equal({ RepositoryType: 'Local', Location: 'file:///repo/handlers/test/Echo.ts' });
    const config = (await (await fetch(`${base}/2015-03-31/functions/acme-test-echo/configuration`)).json()) as Record<string, unknown>;
    expect(config).to.deep.equal(got.Configuration);
  });

  it('names what it does not implement', async () => {
    await expectError(await fetch(`${base}/2015-03-31/functions/acme-test-echo/concurrency`, { method: 'PUT', body: '{}' }), 400, 'UnknownOperationException', 'PUT /2015-03-31/functions/acme-test-echo/concurrency');
  });
});
