// The registry's persistence: user machines kept in <dataDir>/sfn/state-machines.json across restarts and
// registered with the engine again; built-ins never written down.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStateMachineRegistry } from '../../../../local/serve/sfn/state-machines';
import { testEngine } from '../../engine/harness';
import { apiError, closed, machineArn, PASS, REGION, ROLE, runsChild, sfnFixture } from './sfn-harness';

const CHILD = JSON.stringify({ StartAt: 'C', States: { C: { Type: 'Pass', Result: 'child ran', End: true } } });
/** Silences stderr while `run` runs; returns what was written there. */
async function capturingStderr(run: () => Promise<void>): Promise<string> {
  const original = process.stderr.write.bind(process.stderr);
  let written = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    await run();
  } finally {
    process.stderr.write = original;
  }
  return written;
}

describe('Step Functions API: state machines kept in the data dir', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'longhaul-sfn-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const file = () => join(dataDir, 'sfn', 'state-machines.json');

  it('keeps user machines across a restart, registered with the engine again; built-ins are not written down', async () => {
    const first = sfnFixture({ dataDir });
    first.registry.registerBuiltIn('video', JSON.parse(PASS));
    const childArn = await first.create('child', CHILD);
    const before = await first.call('DescribeStateMachine', { stateMachineArn: childArn });
    await first.close();

    const stored = JSON.parse(readFileSync(file(), 'utf8'));
    expect(stored.stateMachines.map((m: { name: string }) => m.name)).to.deep.equal(['child']);
    expect(readdirSync(join(dataDir, 'sfn')), 'no temp file left behind').to.deep.equal(['state-machines.json']);

    const second = sfnFixture({ dataDir });
    try {
      expect(await second.call('DescribeStateMachine', { stateMachineArn: childArn })).to.deep.equal(before);
      expect((await apiError(second.call('DescribeStateMachine', { stateMachineArn: machineArn('video') }))).type).to.equal('StateMachineDoesNotExist');
      // The parent's task reaches `child` through the engine alone: only a registration made at start finds it.
      const parent = await second.create('parent', runsChild('child'));
      const { executionArn } = await second.call('StartExecution', { stateMachineArn: parent });
      const described = await closed(second, executionArn);
      expect(described.status, described.cause).to.equal('SUCCEEDED');
      expect(JSON.parse(described.output)).to.equal('child ran');
    } finally {
      await second.close();
    }
  });

  it('keeps updates and deletions across a restart', async () => {
    const first = sfnFixture({ dataDir });
    const keptArn = await first.create('kept', PASS);
    const goneArn = await first.create('gone', PASS);
    const update = await first.call('UpdateStateMachine', { stateMachineArn: keptArn, definition: CHILD, roleArn: 'arn:aws:iam::000000000000:role/new' });
    await first.call('DeleteStateMachine', { stateMachineArn: goneArn });
    await first.close();

    const second = sfnFixture({ dataDir });
    try {
      const described = await second.call('DescribeStateMachine', { stateMachineArn: keptArn });
      expect(described).to.deep.include({ definition: CHILD, roleArn: 'arn:aws:iam::000000000000:role/new', revisionId: update.revisionId });
      const forExecution = await second.call('StartExecution', { stateMachineArn: keptArn });
      const machine = await second.call('DescribeStateMachineForExecution', { executionArn: forExecution.executionArn });
      expect(machine.updateDate).to.equal(update.updateDate);
      expect((await apiError(second.call('DescribeStateMachine', { stateMachineArn: goneArn }))).type).to.equal('StateMachineDoesNotExist');
    } finally {
      await second.close();
    }
  });

  it('refuses to start on a file that is not JSON, naming the file', async () => {
    mkdirSync(join(dataDir, 'sfn'));
    writeFileSync(file(), '{"version": 1, "stateMachines": [');
    const engine = testEngine();
    try {
      expect(() => createStateMachineRegistry({ engine, region: REGION, dataDir })).to.throw(file());
    } finally {
      await engine.close();
    }
  });

  it('keeps a stored definition that no longer loads, refuses to run it (InvalidDefinition), and lets an update fix it', async () => {
    mkdirSync(join(dataDir, 'sfn'));
    const unsupported = JSON.stringify({ StartAt: 'Q', States: { Q: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } } });
    const machine = {
      name: 'old',
      definition: unsupported,
      roleArn: ROLE,
      type: 'STANDARD',
      creationDate: '2026-01-02T03:04:05.678Z',
      revisionId: 'r1',
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
    writeFileSync(file(), JSON.stringify({ version: 1, stateMachines: [machine] }));

    let sfn!: ReturnType<typeof sfnFixture>;
    const warning = await capturingStderr(async () => void (sfn = sfnFixture({ dataDir })));
    expect(warning).to.contain("state machine 'old'").and.contain('no longer loads');
    try {
      const arn = machineArn('old');
      const described = await sfn.call('DescribeStateMachine', { stateMachineArn: arn });
      expect(described).to.deep.include({ definition: unsupported, creationDate: Date.parse(machine.creationDate) / 1000 });
      const refused = await apiError(sfn.call('StartExecution', { stateMachineArn: arn }));
      expect(refused.type).to.equal('InvalidDefinition');
      expect(refused.message).to.contain('sqs:sendMessage');

      await sfn.call('UpdateStateMachine', { stateMachineArn: arn, definition: PASS });
      const { executionArn } = await sfn.call('StartExecution', { stateMachineArn: arn });
      expect((await closed(sfn, executionArn)).status).to.equal('SUCCEEDED');
      expect(JSON.parse(readFileSync(file(), 'utf8')).stateMachines[0].definition).to.equal(PASS);
    } finally {
      await sfn.close();
    }
  });
});
