// A Step Functions Local test suite against `longhaul serve`, unedited: the developer guide's mock config
// (sfn-local-mock-cfg-file) named by SFN_MOCK_CONFIG's stand-in, its state machine created with the AWS CLI,
// executions started on `<stateMachineArn>#<TestCase>` as the guide's `start-execution` commands do.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type Serve } from '../../../local/serve/serve';
import { awsCli } from '../../support/aws-cli';

const fixtures = join(process.cwd(), 'test/fixtures/mock-config');

describe('longhaul serve runs Step Functions Local mock test cases (AWS CLI)', function () {
  this.timeout(60_000);
  let serve: Serve;
  let work: string;
  let cli: ReturnType<typeof awsCli>;
  let machineArn: string;

  before(async function () {
    work = await mkdtemp(join(tmpdir(), 'longhaul-serve-mock-'));
    // Retry intervals of 2, 4 and 8 s in the guide's machine: scaled down, as the tests of the suite would wait.
    serve = await startServe({ dataDir: join(work, 'data'), port: 0, pipelines: [], functions: [], timeScale: 0.01, mockConfigPath: join(fixtures, 'MockConfigFile.json'), onLog: () => {}, onProblem: () => {} });
    cli = awsCli({ endpoint: serve.endpoint, home: work, ...serve.credentials, region: serve.region });
    const created = await cli.json(
      'stepfunctions', 'create-state-machine', '--name', 'LambdaSQSIntegration',
      '--definition', `file://${join(fixtures, 'LambdaSQSIntegration.asl.json')}`,
      '--role-arn', 'arn:aws:iam::123456789012:role/service-role/LambdaSQSIntegration',
    );
    machineArn = created.stateMachineArn as string;
  });
  after(async function () {
    await serve?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function runCase(testCase: string, name: string): Promise<{ status: string; output?: string; error?: string; cause?: string; history: { type: string }[] }> {
    const started = await cli.json('stepfunctions', 'start-execution', '--name', name, '--state-machine-arn', `${machineArn}#${testCase}`, '--input', '{"hello":"mock"}');
    const executionArn = started.executionArn as string;
    for (;;) {
      const described = await cli.json('stepfunctions', 'describe-execution', '--execution-arn', executionArn);
      if (described.status !== 'RUNNING') {
        const { events } = await cli.json('stepfunctions', 'get-execution-history', '--execution-arn', executionArn);
        return { ...(described as { status: string; output?: string }), history: events as { type: string }[] };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('HappyPath: the mocked Lambda and SQS answers, with the events real tasks record', async () => {
    const run = await runCase('HappyPath', 'executionWithHappyPathMockedServices');
    expect(run.status).to.equal('SUCCEEDED');
    expect(JSON.parse(run.output!)).to.deep.equal({ MD5OfMessageBody: '3bcb6e8e-7h85-4375-b0bc-1a59812c6e51', MessageId: '3bcb6e8e-8b51-4375-b0bc-1a59812c6e51' });
    expect(run.history.map((e) => e.type)).to.deep.equal([
      'ExecutionStarted',
      'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited',
      'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('RetryPath: three mocked throws are retried by the machine\'s Retry, the fourth answer succeeds', async () => {
    const run = await runCase('RetryPath', 'executionWithRetryPathMockedServices');
    expect(run.status).to.equal('SUCCEEDED');
    expect(run.history.filter((e) => e.type === 'TaskFailed')).to.have.length(3);
  });

  it('HybridPath: the state the test case does not mock runs for real (SQS: not available locally)', async () => {
    const run = await runCase('HybridPath', 'executionWithHybridPathMockedServices');
    expect(run.status).to.equal('FAILED');
    expect(run.error).to.equal('States.Runtime');
    expect(run.cause).to.contain('sqs:sendMessage');
  });

  it('an unknown test case is refused at start, naming the ones there are', async () => {
    const result = await cli.run('stepfunctions', 'start-execution', '--state-machine-arn', `${machineArn}#SadPath`);
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.match(/An error occurred \(\w+\)/).and.to.contain('HappyPath');
  });
});
