// Executions survive a crash of the server: `longhaul serve` is killed with SIGKILL in the middle of a
// Distributed Map and started again on the same data dir; the execution resumes from its journal and
// finishes with an uninterrupted run's output, items done before the kill are not invoked again (counted by
// the function itself, outside the server), and its history reads as one run. Driven by the AWS CLI; the
// redrive of a failed item too, with the SDK for RedriveExecution.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { awsCli } from '../../support/aws-cli';
import { itemsMap } from '../../support/crash-machine';

interface Started {
  process: ChildProcess;
  endpoint: string;
  functionNames: string[];
  resumed: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
}

function startServer(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'test/support/serve-process.ts'), dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ process: child, ...(JSON.parse(line) as Omit<Started, 'process'>) }));
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
}

const ids = Array.from({ length: 12 }, (_, i) => `item-${String(i).padStart(2, '0')}`);

async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A Distributed Map whose items each invoke the Recorder fixture function (counted in `calls`). */
function recordingMap(recorder: string, calls: string, failIfExists?: string): object {
  return itemsMap({
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: {
      FunctionName: recorder,
      Payload: { action: 'record', file: calls, 'id.$': '$.id', holdMs: 250, ...(failIfExists ? { 'failIfExists.$': `States.Format('${failIfExists}-{}', $.id)` } : {}) },
    },
    OutputPath: '$.Payload',
  });
}

describe('longhaul serve survives SIGKILL mid-Map (AWS CLI)', function () {
  this.timeout(120_000);
  let work: string;
  const servers: ChildProcess[] = [];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'longhaul-serve-crash-'));
  });
  after(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await rm(work, { recursive: true, force: true });
  });

  it('resumes the execution after a restart: finished items keep their results, the rest run, one history', async () => {
    const dataDir = join(work, 'data');
    const calls = join(work, 'calls.log');
    const first = await startServer(dataDir);
    servers.push(first.process);
    const cli = (s: Started) => awsCli({ endpoint: s.endpoint, home: work, ...s.credentials, region: s.region });
    const [recorder] = first.functionNames;
    const definition = recordingMap(recorder!, calls);
    const definitionFile = join(work, 'machine.json');
    await writeFile(definitionFile, JSON.stringify(definition));
    const { stateMachineArn } = await cli(first).json('stepfunctions', 'create-state-machine', '--name', 'crash', '--definition', `file://${definitionFile}`, '--role-arn', 'arn:aws:iam::000000000000:role/crash');
    const { executionArn } = await cli(first).json('stepfunctions', 'start-execution', '--state-machine-arn', stateMachineArn as string, '--name', 'crash-1', '--input', JSON.stringify({ ids }));

    const lines = () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').map((l) => l.split(' ')) : []);
    await until(() => (lines().filter((l) => l[1] === 'done').length >= 7 ? true : undefined), 'seven items done');
    const killedAt = Date.now();
    first.process.kill('SIGKILL');
    await new Promise((r) => first.process.once('exit', r));
    const beforeKill = lines();
    // Done well before the kill: the server had journaled their outcome (it writes every event-loop turn).
    const settled = beforeKill.filter((l) => l[1] === 'done' && Number(l[0]) < killedAt - 300).map((l) => l[2]!);
    expect(settled.length).to.be.at.least(3);

    const second = await startServer(dataDir);
    servers.push(second.process);
    expect(second.resumed).to.equal(1);
    const described = await until(async () => {
      const d = await cli(second).json('stepfunctions', 'describe-execution', '--execution-arn', executionArn as string);
      return d.status === 'RUNNING' ? undefined : d;
    }, 'the resumed execution to end');
    expect(described.status).to.equal('SUCCEEDED');
    expect(JSON.parse(described.output as string)).to.deep.equal(ids.map((id) => ({ id })));

    const after = lines().slice(beforeKill.length).filter((l) => l[1] === 'start').map((l) => l[2]!);
    for (const id of settled) expect(after, `${id} was invoked again`).to.not.include(id);
    for (const id of ids.filter((i) => !beforeKill.some((l) => l[1] === 'done' && l[2] === i))) expect(after, id).to.include(id);

    const { events } = await cli(second).json('stepfunctions', 'get-execution-history', '--execution-arn', executionArn as string);
    const types = (events as { id: number; type: string }[]).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionStarted')).to.have.length(1);
    expect(types.filter((t) => t === 'MapRunStarted')).to.have.length(1);
    expect((events as { id: number }[]).map((e) => e.id)).to.deep.equal(types.map((_, i) => i + 1));
    const { mapRuns } = await cli(second).json('stepfunctions', 'list-map-runs', '--execution-arn', executionArn as string);
    const mapRun = await cli(second).json('stepfunctions', 'describe-map-run', '--map-run-arn', (mapRuns as { mapRunArn: string }[])[0]!.mapRunArn);
    expect(mapRun.status).to.equal('SUCCEEDED');
    expect(mapRun.itemCounts).to.include({ succeeded: 12, total: 12, failed: 0 });
    second.process.kill('SIGTERM');
  });

  it('RedriveExecution reruns the failed Map item and the items its failure stopped, nothing that succeeded; the redrive is counted', async () => {
    const dataDir = join(work, 'data-redrive');
    const calls = join(work, 'redrive-calls.log');
    const server = await startServer(dataDir);
    servers.push(server.process);
    const aws = awsCli({ endpoint: server.endpoint, home: work, ...server.credentials, region: server.region });
    const marker = join(work, 'fail');
    await writeFile(`${marker}-item-03`, 'item-03 fails while this file exists');
    const definitionFile = join(work, 'redrive-machine.json');
    await writeFile(definitionFile, JSON.stringify(recordingMap(server.functionNames[0]!, calls, marker)));
    const { stateMachineArn } = await aws.json('stepfunctions', 'create-state-machine', '--name', 'redrive', '--definition', `file://${definitionFile}`, '--role-arn', 'arn:aws:iam::000000000000:role/redrive');
    const { executionArn } = await aws.json('stepfunctions', 'start-execution', '--state-machine-arn', stateMachineArn as string, '--input', JSON.stringify({ ids: ids.slice(0, 6) }));
    // AWS CLI 2.9 predates RedriveExecution (2023) and drops the redrive fields it does not know: the SDK
    // follows this execution.
    const sfn = new SFNClient({ endpoint: server.endpoint, region: server.region, credentials: server.credentials });
    const ended = async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn as string }));
      return d.status === 'RUNNING' ? undefined : d;
    };
    const failed = await until(ended, 'the execution to fail');
    expect(failed).to.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold', redriveStatus: 'REDRIVABLE', redriveCount: 0 });

    await rm(`${marker}-item-03`);
    const before = readFileSync(calls, 'utf8').trim().split('\n').length;
    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn: executionArn as string }));
    expect(redriven.redriveDate).to.be.instanceOf(Date);
    const done = await until(ended, 'the redriven execution to end');
    expect(done).to.include({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(JSON.parse(done!.output!)).to.deep.equal(ids.slice(0, 6).map((id) => ({ id })));
    const lines = readFileSync(calls, 'utf8').trim().split('\n').map((l) => l.split(' '));
    const succeededBefore = lines.slice(0, before).filter((l) => l[1] === 'done').map((l) => l[2]!);
    const rerun = lines.slice(before).filter((l) => l[1] === 'start').map((l) => l[2]!).sort();
    // The failed item, and the items the failure stopped or never started: nothing that had succeeded.
    expect(rerun).to.include('item-03');
    expect(rerun).to.deep.equal(ids.slice(0, 6).filter((id) => !succeededBefore.includes(id)));
    const again = await sfn.send(new RedriveExecutionCommand({ executionArn: executionArn as string })).catch((err: Error) => err);
    expect(again).to.have.property('name', 'ExecutionNotRedrivable');
    sfn.destroy();
    server.process.kill('SIGTERM');
  });
});
