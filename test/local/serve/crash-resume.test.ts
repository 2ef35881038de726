// Executions survive a crash of the server: `longhaul serve` is killed with SIGKILL in the middle of a
// Distributed Map and started again on the same data dir; the execution resumes from its journal and
// finishes with an uninterrupted run's output, items done before the kill are not invoked again (counted by
// the function itself, outside the server), and its history reads as one run. Driven by the AWS CLI.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { awsCli } from '../../support/aws-cli';

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
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.ids',
          MaxConcurrency: 2,
          ItemSelector: { 'id.$': '$$.Map.Item.Value' },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Record',
            States: {
              Record: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: recorder, Payload: { action: 'record', file: calls, 'id.$': '$.id', holdMs: 250 } },
                OutputPath: '$.Payload',
                End: true,
              },
            },
          },
          End: true,
        },
      },
    };
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
});
