// The Step Functions API as clients reach it: `@aws-sdk/client-sfn` and the AWS CLI v2 against `longhaul serve`
// with nothing changed but the endpoint.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  paginateListExecutions,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startServe, type Serve } from '../../../../local/serve/serve';
import { PASS, ROLE } from './sfn-harness';

const AWS_CLI = '/usr/bin/aws';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('Step Functions API over HTTP (SDK and AWS CLI)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let serve: Serve;
  let sfn: SFNClient;
  let machineArn: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'longhaul-serve-sfn-'));
    serve = await startServe({ dataDir, port: 0, pipelines: [], functions: [], onProblem: () => {} });
    sfn = new SFNClient({ endpoint: serve.endpoint, region: serve.region, credentials: serve.credentials });
    machineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'over-http', definition: PASS, roleArn: ROLE }))).stateMachineArn!;
  });

  after(async () => {
    sfn?.destroy();
    await serve?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the AWS CLI v2 against the server, with its credentials and no user configuration. */
  const cli = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: dataDir,
        AWS_ACCESS_KEY_ID: serve.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: serve.credentials.secretAccessKey,
        AWS_DEFAULT_REGION: serve.region,
        AWS_CONFIG_FILE: join(dataDir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'no-credentials'),
        AWS_PAGER: '',
      };
      execFile(AWS_CLI, ['--endpoint-url', serve.endpoint, 'stepfunctions', ...args], { env }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  it('creates, starts, describes, reads the history and lists with pagination through the SDK', async () => {
    const names = ['sdk-1', 'sdk-2', 'sdk-3'];
    const arns: string[] = [];
    for (const name of names) {
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input: JSON.stringify({ name }) }));
      expect(started.startDate).to.be.instanceOf(Date);
      expect(Math.abs(started.startDate!.getTime() - Date.now())).to.be.below(10_000);
      arns.push(started.executionArn!);
    }
    for (const executionArn of arns) {
      let described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      for (let i = 0; i < 200 && described.status === 'RUNNING'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      }
      expect(described.status).to.equal('SUCCEEDED');
      expect(described.stopDate!.getTime()).to.be.at.least(described.startDate!.getTime());
    }
    const last = await sfn.send(new DescribeExecutionCommand({ executionArn: arns[2] }));
    expect(JSON.parse(last.output!)).to.deep.equal({ name: 'sdk-3' });

    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arns[0], reverseOrder: true }));
    expect(history.events!.map((e) => e.type)).to.deep.equal(['ExecutionSucceeded', 'PassStateExited', 'PassStateEntered', 'ExecutionStarted']);
    expect(history.events![3]!.executionStartedEventDetails!.input).to.equal('{"name":"sdk-1"}');
    expect(history.events![0]!.timestamp).to.be.instanceOf(Date);

    const listed: string[] = [];
    let pages = 0;
    for await (const page of paginateListExecutions({ client: sfn, pageSize: 1 }, { stateMachineArn: machineArn })) {
      pages++;
      listed.push(...page.executions!.map((e) => e.name!));
    }
    expect(listed).to.deep.equal([...names].reverse());
    expect(pages).to.equal(3);
  });

  it('the AWS CLI prints the API errors: ExecutionDoesNotExist, ExecutionAlreadyExists, InvalidExecutionInput', async () => {
    const unknown = await cli('describe-execution', '--execution-arn', `arn:aws:states:${serve.region}:000000000000:execution:over-http:never`);
    expect(unknown.code).to.not.equal(0);
    expect(unknown.stderr).to.contain('An error occurred (ExecutionDoesNotExist)');

    const hanging = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 600, End: true } } });
    const waitArn = (await sfn.send(new CreateStateMachineCommand({ name: 'cli-wait', definition: hanging, roleArn: ROLE }))).stateMachineArn!;
    const first = await cli('start-execution', '--state-machine-arn', waitArn, '--name', 'dup', '--input', '{"n":1}');
    expect(first.code, first.stderr).to.equal(0);
    const same = await cli('start-execution', '--state-machine-arn', waitArn, '--name', 'dup', '--input', '{"n":1}');
    expect(JSON.parse(same.stdout).executionArn).to.equal(JSON.parse(first.stdout).executionArn);
    const other = await cli('start-execution', '--state-machine-arn', waitArn, '--name', 'dup', '--input', '{"n":2}');
    expect(other.code).to.not.equal(0);
    expect(other.stderr).to.contain('An error occurred (ExecutionAlreadyExists)');

    const big = join(dataDir, 'big-input.json');
    writeFileSync(big, JSON.stringify({ s: 'x'.repeat(262_144) }));
    const oversized = await cli('start-execution', '--state-machine-arn', machineArn, '--input', `file://${big}`);
    expect(oversized.code).to.not.equal(0);
    expect(oversized.stderr).to.contain('An error occurred (InvalidExecutionInput)');
  });
});
