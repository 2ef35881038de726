// The engine driving real worker processes through the Lambda runner: timeouts, a crash retried, a Map stopped.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FunctionSpec } from '../../../handlers/catalog-types';
import { createEngine, loadDefinition, type Engine } from '../../../local/engine';
import { createLambdaRuntime, type LambdaRuntime } from '../../../local/lambda/runtime';
import { fixtureFunction } from '../../support/fixture-function';
import { isGone } from '../../support/process-state';

function spec(name: string, entry: string, timeoutSeconds: number): FunctionSpec {
  return fixtureFunction(name, { entry: `test/fixtures/engine-functions/${entry}`, timeoutSeconds });
}


async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe('engine with the Lambda runner', function () {
  this.timeout(60_000);
  let runtime: LambdaRuntime;
  let engine: Engine;
  let markerDir: string;

  before(() => {
    // Function timeouts scaled by 0.2: ShortSleep's 2 s becomes 400 ms.
    runtime = createLambdaRuntime({
      functions: [spec('Sleep', 'sleep.ts', 60), spec('ShortSleep', 'sleep.ts', 2), spec('CrashOnce', 'crash-once.ts', 30)],
      env: {},
      timeScale: 0.2,
      onLog: () => {},
    });
    engine = createEngine({ lambda: runtime, timeScale: 0.2 });
  });
  beforeEach(() => (markerDir = mkdtempSync(path.join(tmpdir(), 'longhaul-engine-test-'))));
  afterEach(() => rmSync(markerDir, { recursive: true, force: true }));
  after(async () => {
    await engine.close();
    await runtime.close();
  });

  it("reports a function passing its own Lambda timeout as Sandbox.Timedout with Lambda's cause", async () => {
    const execution = engine.startExecution(
      loadDefinition({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: runtime.arnOf('ShortSleep'), Payload: { ms: 30_000 } }, End: true } } }),
      {},
    );
    const result = await execution.done;
    expect(result).to.include({ status: 'FAILED', error: 'Sandbox.Timedout' });
    expect(JSON.parse(result.cause!)).to.include({ errorType: 'Sandbox.Timedout' });
    expect(JSON.parse(result.cause!).errorMessage).to.contain('Task timed out after 2.00 seconds');
    expect(execution.history.map((e) => e.type)).to.include('TaskFailed');
  });

  it('times a task out with States.Timeout (TimeoutSeconds) and kills its worker', async () => {
    // A warm worker, so the handler surely starts (and records its pid) within the 600 ms the state allows.
    const warm = await runtime.invoke('Sleep', { ms: 0 });
    expect(warm.ok).to.equal(true);
    const execution = engine.startExecution(
      loadDefinition({ StartAt: 'T', States: { T: { Type: 'Task', Resource: runtime.arnOf('Sleep'), TimeoutSeconds: 3, End: true } } }),
      { ms: 30_000, markerDir },
    );
    const result = await execution.done;
    expect(result).to.include({ status: 'FAILED', error: 'States.Timeout' });
    expect(execution.history.map((e) => e.type)).to.include('LambdaFunctionTimedOut');
    const pid = Number(readFileSync(path.join(markerDir, 'started-0'), 'utf8'));
    await waitUntil(() => isGone(pid), `worker ${pid} to be killed`);
  });

  it('retries a task whose worker process crashed, in a fresh worker', async () => {
    const execution = engine.startExecution(
      loadDefinition({
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'CrashOnce', 'Payload.$': '$' }, OutputPath: '$.Payload', Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 2 }], End: true } },
      }),
      { markerDir },
    );
    const result = await execution.done;
    expect(result.status, `${result.error} ${result.cause}`).to.equal('SUCCEEDED');
    const output = result.output as { recovered: boolean; pid: number };
    expect(output.recovered).to.equal(true);
    const crashedPid = Number(readFileSync(path.join(markerDir, 'crashed'), 'utf8'));
    expect(output.pid).to.not.equal(crashedPid);
    const failed = execution.history.filter((e) => e.type === 'TaskFailed');
    expect(failed).to.have.length(1);
    expect(failed[0]!.taskFailedEventDetails!.error).to.match(/^Runtime\./);
  });

  it('stops a Map mid-way: ExecutionAborted, running workers killed, remaining items never started', async () => {
    const execution = engine.startExecution(
      loadDefinition({
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            MaxConcurrency: 2,
            ItemSelector: { 'ms': 30_000, 'index.$': '$$.Map.Item.Index', 'markerDir.$': '$.markerDir' },
            ItemsPath: '$.items',
            ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: runtime.arnOf('Sleep'), End: true } } },
            End: true,
          },
        },
      }),
      { items: [1, 2, 3, 4, 5, 6], markerDir },
    );
    await waitUntil(() => readdirSync(markerDir).length === 2, 'two items to start');
    await execution.stop({ error: 'Test', cause: 'stop mid-way' });
    const result = await execution.done;
    expect(result.status).to.equal('ABORTED');
    expect(execution.history.at(-1)!.type).to.equal('ExecutionAborted');
    const pids = readdirSync(markerDir).map((f) => Number(readFileSync(path.join(markerDir, f), 'utf8')));
    for (const pid of pids) await waitUntil(() => isGone(pid), `worker ${pid} to be killed`);
    expect(readdirSync(markerDir).sort()).to.deep.equal(['started-0', 'started-1']);
    expect(execution.history.filter((e) => e.type === 'MapIterationStarted')).to.have.length(2);
  });
});
