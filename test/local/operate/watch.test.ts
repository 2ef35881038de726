// `longhaul watch` against a real `longhaul serve`: a user state machine (a Task that starts the job's
// progress record, then a Distributed Map) followed to SUCCEEDED, one whose retried Task fails followed
// to FAILED, a job id resolved to its execution, and the terminal view redrawn in place.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createWatchCommand } from '../../../local/cli/watch';
import { startServe, type Serve } from '../../../local/serve/serve';
import { fixtureFunction } from '../../support/fixture-function';

interface Captured {
  code: number;
  out: string;
  err: string;
}

describe('longhaul watch against longhaul serve', function () {
  this.timeout(60_000);
  let serve: Serve;
  let work: string;
  let sfn: SFNClient;
  let probe: string;
  let goodMachine: string;
  let badMachine: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'longhaul-watch-'));
    serve = await startServe({
      dataDir: join(work, 'data'),
      port: 0,
      pipelines: [],
      functions: [fixtureFunction('Probe', { table: 'write', timeoutSeconds: 120 })],
      naming: { prefix: 'longhaul', stackName: 'dev' },
      // Retry intervals of 1 s become 50 ms.
      timeScale: 0.05,
      onLog: () => {},
      onProblem: () => {},
    });
    probe = serve.functionNames[0]!;
    sfn = new SFNClient({ endpoint: serve.endpoint, region: serve.region, credentials: serve.credentials });
    const invoke = (payload: object) => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: probe, Payload: payload }, OutputPath: '$.Payload' });
    const create = async (name: string, definition: object) =>
      (await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::000000000000:role/watch' }))).stateMachineArn!;
    goodMachine = await create('watch-good', {
      StartAt: 'Start',
      States: {
        Start: { ...invoke({ action: 'progress-start', 'jobId.$': '$.jobId' }), OutputPath: '$', ResultPath: null, Next: 'Items' },
        Items: {
          Type: 'Map',
          ItemsPath: '$.ids',
          MaxConcurrency: 2,
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Work', States: { Work: { ...invoke({ action: 'remaining', sleepMs: 300 }), End: true } } },
          End: true,
        },
      },
    });
    badMachine = await create('watch-bad', {
      StartAt: 'Boom',
      States: {
        Boom: {
          ...invoke({ action: 'throw', name: 'BadThing', message: 'the input was wrong' }),
          Retry: [{ ErrorEquals: ['BadThing'], MaxAttempts: 1, IntervalSeconds: 1 }],
          End: true,
        },
      },
    });
  });

  after(async () => {
    sfn?.destroy();
    await serve?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function start(stateMachineArn: string, name: string, input: object): Promise<string> {
    return (await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }))).executionArn!;
  }

  async function watch(ref: string, output: { isTTY: boolean; columns?: number } = { isTTY: false }): Promise<Captured> {
    const captured = { out: '', err: '' };
    const command = createWatchCommand({
      output: { write: (text) => (captured.out += text), isTTY: output.isTTY, columns: () => output.columns ?? 80 },
      stderr: (text) => (captured.err += `${text}\n`),
    });
    const code = await command.run([ref, '--endpoint-url', serve.endpoint, '--region', serve.region, '--table', serve.table, '--interval-ms', '50']);
    return { code, ...captured };
  }

  it('follows an execution to SUCCEEDED, printing its steps, items and job once each, and exits 0', async () => {
    const arn = await start(goodMachine, 'watch-ok', { jobId: 'watch-ok', ids: ['a', 'b', 'c'] });
    const { code, out, err } = await watch(arn);
    expect(err).to.equal('');
    expect(code, out).to.equal(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).to.match(/^execution watch-ok \(watch-good\) started \d{4}-\d\d-\d\dT/);
    expect(lines).to.include('step Start started');
    expect(lines.some((l) => /^step Start succeeded in \d+\.\ds$/.test(l))).to.equal(true, out);
    expect(lines).to.include('step Items: 3/3 items');
    expect(lines.some((l) => /^step Items succeeded in /.test(l))).to.equal(true, out);
    // The record the Start task wrote through startJob, read back with getJob.
    expect(lines).to.include('job watch-ok: probe, 0/1 units');
    // Items run 300 ms each, two at a time, and looks are 50 ms apart: items are seen running, each with its
    // function's configured timeout (GetFunction's, not the time-scaled one the runner enforces).
    const started = lines.filter((l) => l.startsWith('task Work['));
    expect(started.length, out).to.be.at.least(1);
    for (const line of started) expect(line).to.match(new RegExp(`^task Work\\[[0-2]\\] attempt 1 started: ${probe}, timeout 2m00s$`));
    expect(lines.at(-1)).to.match(/^execution SUCCEEDED after \d/);
    // A log gets each line once.
    expect(new Set(lines).size).to.equal(lines.length);
  });

  it('follows a failing execution to FAILED: the retry, each failed attempt and the error; exits 1', async () => {
    const arn = await start(badMachine, 'watch-bad-1', {});
    const { code, out } = await watch(arn);
    expect(code).to.equal(1);
    const lines = out.trimEnd().split('\n');
    expect(lines.some((l) => l.startsWith('task Boom retry 1 failed: BadThing: ') && l.includes('the input was wrong'))).to.equal(true, out);
    expect(lines.some((l) => l.startsWith('task Boom attempt 1 failed: BadThing: ') && l.includes('the input was wrong'))).to.equal(true, out);
    expect(lines.at(-1)).to.match(/^execution FAILED after \d+\.\ds: BadThing: .*the input was wrong/);
  });

  it('resolves a job id to its newest execution, and redraws the view in place on a terminal', async () => {
    await start(goodMachine, 'watch-job-1000', { jobId: 'watch-job', ids: ['old'] });
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later start time, not a tie
    const newest = await start(goodMachine, 'watch-job-2000', { jobId: 'watch-job', ids: ['x', 'y'] });
    const { code, out } = await watch('watch-job', { isTTY: true, columns: 60 });
    expect(code).to.equal(0);
    // Every frame after the first moves up over the previous one and clears it.
    const frames = out.split(/\x1b\[\d+A\r/);
    const last = frames.at(-1)!.replace('\x1b[J', '').trimEnd().split('\n');
    expect(last[0]).to.match(/^watch-job-2000 \(watch-good\)  SUCCEEDED  /);
    expect(last.some((l) => l.includes('2/2 items'))).to.equal(true, last.join('\n'));
    // Some frame showed a running item against its timeout.
    expect(out).to.match(/\] \d+\.\ds \/ 2m00s \d+%  Work\[\d\] attempt 1/);
    for (const line of last) expect([...line].length, line).to.be.at.most(60);
    expect(newest).to.match(/:watch-job-2000$/);
  });

  it('says so in one line, exit 1, when no execution has that name', async () => {
    const { code, out, err } = await watch('no-such-job');
    expect(code).to.equal(1);
    expect(out).to.equal('');
    expect(err).to.match(/^longhaul watch: no execution named "no-such-job"/);
  });
});
