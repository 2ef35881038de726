// Durable executions: a journaled engine stopped mid-run (as a crash would leave it) resumes from the
// journal, without running again the tasks whose outcome was recorded; RedriveExecution continues a failed
// execution from its failed state (failed Parallel branch, failed Distributed Map item) as AWS documents.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, loadDefinition, type Engine, type Execution, type HistoryEvent } from '../../../local/engine';
import type { TaskHandler } from '../../../local/engine/run-context';
import { noLambda } from './harness';

const distributed = { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } };

/** In-process functions that count their calls per item and can be told to fail or to hold. */
function work() {
  const calls = new Map<string, number>();
  const failing = new Set<string>();
  let release: () => void = () => {};
  let held = new Promise<void>((resolve) => (release = resolve));
  const handlers: Record<string, TaskHandler> = {
    Item: async (input) => {
      const { id } = input as { id: string };
      calls.set(id, (calls.get(id) ?? 0) + 1);
      if (failing.has(id)) {
        const err = new Error(`item ${id} fails`);
        err.name = 'ItemFailed';
        throw err;
      }
      // Items from "h" on wait for release(): the test stops the engine while they are in flight.
      if (id >= 'h') await held;
      return { id, squared: Number(id.charCodeAt(0)) ** 2 };
    },
  };
  return {
    calls,
    failing,
    handlers,
    release: () => release(),
    rehold: () => (held = new Promise<void>((resolve) => (release = resolve))),
  };
}

const mapMachine = loadDefinition({
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'items.$': '$.ids' }, Next: 'Each' },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 3,
      ItemSelector: { 'id.$': '$$.Map.Item.Value' },
      ItemProcessor: { ...distributed, StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Item', End: true } } },
      ResultPath: '$.results',
      Next: 'Done',
    },
    Done: { Type: 'Pass', End: true },
  },
});

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function eventTypes(history: HistoryEvent[]): string[] {
  return history.map((e) => e.type).sort();
}

describe('durable executions', () => {
  let dir: string;
  const engines: Engine[] = [];
  const engine = (handlers: Record<string, TaskHandler>) => {
    const e = createEngine({ lambda: noLambda, taskHandlers: handlers, timeScale: 0.001, durableDir: dir });
    engines.push(e);
    return e;
  };
  /** The next top-level execution the engine starts or resumes. */
  const nextTopLevel = (e: Engine) =>
    new Promise<Execution>((resolve) => {
      const off = e.onExecutionStarted((execution, parent) => {
        if (!parent) {
          off();
          resolve(execution);
        }
      });
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-durable-'));
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes a Distributed Map stopped mid-run: finished items are not run again, the output is an uninterrupted run\'s', async () => {
    // The uninterrupted run, on an engine without a journal.
    const reference = work();
    reference.release();
    const plain = createEngine({ lambda: noLambda, taskHandlers: reference.handlers, timeScale: 0.001 });
    engines.push(plain);
    const uninterrupted = plain.startExecution(mapMachine, { ids });
    const expected = await uninterrupted.done;
    expect(expected.status).to.equal('SUCCEEDED');

    const w = work();
    const first = engine(w.handlers);
    const execution = first.startExecution(mapMachine, { ids }, { name: 'resume-me' });
    // a..g finish; h (and the others in flight) hold: then the engine goes away as a crash would leave it.
    await until(() => (first.control.listExecutions({ mapRunArn: first.control.listMapRuns(execution.executionArn)[0]?.mapRunArn ?? '-', status: 'SUCCEEDED' }).length === 7), '7 items');
    expect(first.control.describeExecution(execution.executionArn)!.status).to.equal('RUNNING');
    await first.close();
    const before = new Map(w.calls);

    w.release();
    const second = engine(w.handlers);
    const resumed = nextTopLevel(second);
    expect(second.resumeExecutions()).to.equal(1);
    const result = await (await resumed).done;

    expect(result.status).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal(expected.output);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) expect(w.calls.get(id), `item ${id}`).to.equal(1);
    // In flight at the stop: run again (at-least-once, as in AWS).
    for (const id of ['h', 'i', 'j']) expect(w.calls.get(id), `item ${id}`).to.be.at.least(1);
    expect(before.get('h')).to.equal(1);

    // One history, as if nothing happened: the same events as the uninterrupted run, ids in sequence.
    const history = (await second.control.getExecutionHistory(execution.executionArn))!;
    expect(eventTypes(history)).to.deep.equal(eventTypes(uninterrupted.history));
    expect(history.map((e) => e.id)).to.deep.equal(history.map((_, i) => i + 1));
    const record = second.control.describeExecution(execution.executionArn)!;
    expect(record.status).to.equal('SUCCEEDED');
    expect(JSON.parse(record.output!)).to.deep.equal(expected.output);
  });

  it('keeps closed executions, their histories and Map Runs across a restart', async () => {
    const w = work();
    w.release();
    const first = engine(w.handlers);
    const execution = first.startExecution(mapMachine, { ids: ['a', 'b'] }, { name: 'kept', stateMachineName: 'Machine' });
    await execution.done;
    const history = execution.history.map((e) => ({ ...e }));
    await first.close();

    const second = engine(w.handlers);
    expect(second.resumeExecutions()).to.equal(0);
    const record = second.control.describeExecution(execution.executionArn)!;
    expect(record).to.include({ status: 'SUCCEEDED', name: 'kept', redriveStatus: 'NOT_REDRIVABLE' });
    expect(JSON.parse(record.definition)).to.deep.equal(mapMachine);
    expect(await second.control.getExecutionHistory(execution.executionArn)).to.deep.equal(history);
    const [mapRun] = second.control.listMapRuns(execution.executionArn);
    expect(mapRun).to.include({ status: 'SUCCEEDED' });
    expect(mapRun!.itemCounts).to.include({ total: 2, succeeded: 2, failed: 0, pending: 0 });
    expect(second.control.listExecutions({ stateMachineArn: execution.stateMachineArn }).map((e) => e.name)).to.deep.equal(['kept']);
    expect(second.control.listExecutions({ mapRunArn: mapRun!.mapRunArn })).to.have.length(2);
    // The name stays taken.
    expect(() => second.startExecution(mapMachine, {}, { name: 'kept', stateMachineName: 'Machine' })).to.throw(/Execution Already Exists/);
  });

  it('redrives a failed Distributed Map item only, and counts the redrive', async () => {
    const w = work();
    w.release();
    w.failing.add('d');
    const e = engine(w.handlers);
    const execution = e.startExecution(mapMachine, { ids: ['a', 'b', 'c', 'd', 'e'] }, { name: 'redrive-map' });
    const failed = await execution.done;
    expect(failed.status).to.equal('FAILED');
    expect(failed.error).to.equal('States.ExceedToleratedFailureThreshold');
    expect(e.control.describeExecution(execution.executionArn)).to.include({ redriveStatus: 'REDRIVABLE', redriveCount: 0 });
    const [mapRun] = e.control.listMapRuns(execution.executionArn);
    expect(mapRun!.itemCounts.failed).to.equal(1);

    w.failing.clear();
    const redriven = nextTopLevel(e);
    const date = await e.control.redriveExecution(execution.executionArn);
    expect(date).to.be.instanceOf(Date);
    const result = await (await redriven).done;
    expect(result.status).to.equal('SUCCEEDED');
    expect(w.calls.get('d')).to.equal(2);
    for (const id of ['a', 'b', 'c', 'e']) expect(w.calls.get(id), `item ${id}`).to.equal(1);
    expect((result.output as { results: { id: string }[] }).results.map((r) => r.id)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);

    const record = e.control.describeExecution(execution.executionArn)!;
    expect(record).to.include({ status: 'SUCCEEDED', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
    expect(record.redriveDate).to.be.instanceOf(Date);
    const history = (await e.control.getExecutionHistory(execution.executionArn))!;
    const types = history.map((h) => h.type);
    expect(types.filter((t) => t === 'ExecutionRedriven')).to.have.length(1);
    expect(types.filter((t) => t === 'MapRunRedriven')).to.have.length(1);
    expect(types.filter((t) => t === 'MapRunStarted')).to.have.length(1);
    expect(types.at(-1)).to.equal('ExecutionSucceeded');
    const after = e.control.describeMapRun(mapRun!.mapRunArn)!;
    expect(after).to.include({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(after.itemCounts).to.include({ succeeded: 5, failed: 0 });
  });

  it('redrives only the failed branch of a Parallel state', async () => {
    const calls = new Map<string, number>();
    let bFails = true;
    const count = (id: string) => calls.set(id, (calls.get(id) ?? 0) + 1);
    const handlers: Record<string, TaskHandler> = {
      A: async () => (count('A'), 'a'),
      B: async () => {
        count('B');
        if (bFails) throw Object.assign(new Error('not yet'), { name: 'NotYet' });
        return 'b';
      },
    };
    const machine = loadDefinition({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:A', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:B', End: true } } },
          ],
          End: true,
        },
      },
    });
    const e = engine(handlers);
    const execution = e.startExecution(machine, {}, { name: 'parallel' });
    expect((await execution.done).error).to.equal('NotYet');
    await until(() => calls.get('A') === 1, 'branch A');

    bFails = false;
    const redriven = nextTopLevel(e);
    await e.control.redriveExecution(execution.executionArn);
    const result = await (await redriven).done;
    expect(result).to.include({ status: 'SUCCEEDED' });
    expect(result.output).to.deep.equal(['a', 'b']);
    expect(calls.get('A')).to.equal(1);
    expect(calls.get('B')).to.equal(2);
  });

  it('a failed execution is redrivable for 14 days after it stopped, then not (as the journal dates it)', async () => {
    const w = work();
    w.release();
    w.failing.add('a');
    const first = engine(w.handlers);
    const execution = first.startExecution(mapMachine, { ids: ['a'] }, { name: 'old' });
    await execution.done;
    expect(first.control.describeExecution(execution.executionArn)!.redriveStatus).to.equal('REDRIVABLE');
    await first.close();
    // The same journal, as if the failure had happened 15 days ago.
    const index = join(dir, 'index.ndjson');
    const fifteenDaysAgo = new Date(Date.now() - 15 * 24 * 3600 * 1000).toISOString();
    const lines = readFileSync(index, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: string; r: { executionArn: string; stopDate?: string } });
    for (const line of lines) if (line.t === 'close' && line.r.executionArn === execution.executionArn) line.r.stopDate = fifteenDaysAgo;
    writeFileSync(index, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));

    const second = engine(w.handlers);
    expect(second.control.describeExecution(execution.executionArn)).to.include({ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution redrivable period exceeded' });
    await expectError(second.control.redriveExecution(execution.executionArn), 'ExecutionNotRedrivable', /redrivable period exceeded/);
  });

  it('a resumed execution computes again what it computed before the crash: $uuid(), $random(), $now(), States.UUID(), States.MathRandom and the variables', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    const handlers: Record<string, TaskHandler> = { Hold: async (input) => {
      holding = true;
      await held;
      return input;
    } };
    const machine = loadDefinition({
      StartAt: 'Draw',
      States: {
        Draw: { Type: 'Pass', QueryLanguage: 'JSONata', Assign: { id: '{% $uuid() %}', r: '{% $random() %}', at: '{% $now() %}' }, Output: { picked: '{% $random() %}' }, Next: 'PathDraw' },
        PathDraw: { Type: 'Pass', Assign: { 'pathId.$': 'States.UUID()', 'pathRandom.$': 'States.MathRandom(0, 1000000)' }, Next: 'Hold' },
        Hold: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Hold', Next: 'Show' },
        Show: { Type: 'Pass', QueryLanguage: 'JSONata', Output: { id: '{% $id %}', r: '{% $r %}', at: '{% $at %}', picked: '{% $states.input.picked %}', pathId: '{% $pathId %}', pathRandom: '{% $pathRandom %}' }, End: true },
      },
    });
    const first = engine(handlers);
    const execution = first.startExecution(machine, {}, { name: 'draws' });
    await until(() => holding, 'the task to hold');
    const assigned = (name: string) => (execution.history.find((e) => e.type === 'PassStateExited' && (e.stateExitedEventDetails as { name: string }).name === name)!
      .stateExitedEventDetails as { assignedVariables: Record<string, string>; output: string });
    const before: Record<string, unknown> = {
      ...Object.fromEntries(Object.entries({ ...assigned('Draw').assignedVariables, ...assigned('PathDraw').assignedVariables }).map(([k, v]) => [k, JSON.parse(v)])),
      picked: (JSON.parse(assigned('Draw').output) as { picked: number }).picked,
    };
    await first.close();

    release();
    const second = engine(handlers);
    const resumed = nextTopLevel(second);
    expect(second.resumeExecutions()).to.equal(1);
    const result = await (await resumed).done;
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal(before);
    expect(before.id).to.match(/^[0-9a-f-]{36}$/);
    expect(before.pathId).to.match(/^[0-9a-f-]{36}$/);
  });

  it('refuses to redrive what AWS refuses, with its error names', async () => {
    const w = work();
    w.release();
    const e = engine(w.handlers);
    const ok = e.startExecution(mapMachine, { ids: ['a'] }, { name: 'fine' });
    await ok.done;
    await expectError(e.control.redriveExecution(ok.executionArn), 'ExecutionNotRedrivable', /SUCCEEDED/);
    await expectError(e.control.redriveExecution(`${ok.executionArn}-nope`), 'ExecutionDoesNotExist', /Does Not Exist/);

    w.failing.add('a');
    const bad = e.startExecution(mapMachine, { ids: ['a'] }, { name: 'bad' });
    await bad.done;
    const [child] = e.control.listExecutions({ mapRunArn: e.control.listMapRuns(bad.executionArn)[0]!.mapRunArn });
    expect(child).to.include({ status: 'FAILED', redriveStatus: 'REDRIVABLE_BY_MAP_RUN' });
    await expectError(e.control.redriveExecution(child!.executionArn), 'ExecutionNotRedrivable', /parent/);

    w.rehold();
    const running = e.startExecution(mapMachine, { ids: ['h'] }, { name: 'running' });
    await until(() => w.calls.get('h') === 1, 'item h');
    await expectError(e.control.redriveExecution(running.executionArn), 'ExecutionNotRedrivable', /RUNNING/);
    w.release();
    await running.done;
  });
});

async function expectError(promise: Promise<unknown>, error: string, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect((err as { error?: string }).error).to.equal(error);
    expect(String((err as Error).message)).to.match(message);
    return;
  }
  expect.fail(`expected ${error}`);
}

describe('durable executions across a SIGKILL', () => {
  it('a killed engine process resumes its Distributed Map on restart: items done before the kill are not run again', async function () {
    this.timeout(60_000);
    const dir = await mkdtemp(join(tmpdir(), 'longhaul-crash-'));
    const callsFile = join(dir, 'calls.log');
    const script = join(process.cwd(), 'test/support/durable-engine-process.ts');
    const spawnEngine = (mode: string) => spawn(process.execPath, ['--import', 'tsx', script, mode, dir, callsFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    const calls = () => (existsSync(callsFile) ? readFileSync(callsFile, 'utf8').trim().split('\n').map((l) => l.split(' ')) : []);
    try {
      const first = spawnEngine('start');
      await until(() => calls().filter((c) => c[1] === 'done').length >= 6, 'six items done', 30_000);
      const killedAt = Date.now();
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const beforeKill = calls();
      // Done well before the kill: their outcome was journaled (a write happens within one event-loop turn).
      const settled = beforeKill.filter((c) => c[1] === 'done' && Number(c[0]) < killedAt - 100).map((c) => c[2]!);
      expect(settled.length).to.be.at.least(4);

      const second = spawnEngine('resume');
      let stderr = '';
      second.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise((r) => second.once('exit', r));
      expect(code, stderr).to.equal(0);
      const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { status: string; output: unknown };
      expect(result.status).to.equal('SUCCEEDED');
      expect(result.output).to.deep.equal('abcdefghijkl'.split('').map((id) => ({ id, upper: id.toUpperCase() })));
      const after = calls().slice(beforeKill.length).filter((c) => c[1] === 'start').map((c) => c[2]!);
      for (const id of settled) expect(after, `item ${id} ran again`).to.not.include(id);
      // Every item not settled before the kill ran (again) after it.
      for (const id of 'abcdefghijkl'.split('').filter((i) => !beforeKill.some((c) => c[1] === 'done' && c[2] === i))) {
        expect(after, `item ${id}`).to.include(id);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
