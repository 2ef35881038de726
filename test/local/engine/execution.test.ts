// History shape, live subscribers, stop(), quotas and the context object, over in-process tasks.
import { expect } from 'chai';
import { loadDefinition, MAX_HISTORY_EVENTS, type HistoryEvent } from '../../../local/engine';
import { run, testEngine, testHandlers, types } from './harness';

const loop = (limit: number) => ({
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { i: 0 }, Next: 'Inc' },
    Inc: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: limit, Next: 'Inc' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
});

/**
 * `{ "s": "éé…" }` whose JSON is exactly `bytes` bytes of UTF-8. Two-byte characters make the byte count differ
 * from the character count, so a check that counted characters would not pass either.
 */
function jsonOfBytes(bytes: number): { s: string } {
  const room = bytes - Buffer.byteLength(JSON.stringify({ s: '' }), 'utf8');
  return { s: 'é'.repeat(Math.floor(room / 2)) + 'x'.repeat(room % 2) };
}

/**
 * A task handler that holds every call until `cap` calls are in flight, so the peak reaches `cap` however slow
 * the machine is. Before releasing them it lets timers run once more: an engine that started a call beyond
 * `cap` would have done so by then. If `cap` is never reached, the safety timeout releases the calls and the
 * peak shows how many there were.
 */
function heldUntilInFlight(cap: number, safetyMs = 10_000): { handler: () => Promise<null>; peak: () => number } {
  let inFlight = 0;
  let peak = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const safety = setTimeout(release, safetyMs);
  void released.then(() => clearTimeout(safety));
  const handler = async () => {
    peak = Math.max(peak, ++inFlight);
    if (inFlight === cap) setTimeout(release, 10);
    await released;
    inFlight--;
    return null;
  };
  return { handler, peak: () => peak };
}

describe('execution', () => {
  it('records AWS-shaped events: sequential ids, previousEventId chain, details keys', async () => {
    const result = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'Double', Payload: 4 }, OutputPath: '$.Payload', End: true } } },
      { x: 1 },
    );
    const h = result.history;
    expect(types(h)).to.deep.equal(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    h.forEach((e, i) => {
      expect(e.id).to.equal(i + 1);
      expect(e.previousEventId).to.equal(i);
      expect(e.timestamp).to.be.instanceOf(Date);
    });
    expect(h[0]!.executionStartedEventDetails).to.include({ input: '{"x":1}' });
    expect(h[1]!.stateEnteredEventDetails).to.deep.equal({ name: 'T', input: '{"x":1}', inputDetails: { truncated: false } });
    expect(h[2]!.taskScheduledEventDetails).to.include({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
    expect(JSON.parse(h[2]!.taskScheduledEventDetails!.parameters as string)).to.deep.equal({ FunctionName: 'Double', Payload: 4 });
    expect(JSON.parse(h[4]!.taskSucceededEventDetails!.output as string)).to.include({ Payload: 8, StatusCode: 200 });
    expect(h[5]!.stateExitedEventDetails).to.deep.equal({ name: 'T', output: '8', outputDetails: { truncated: false } });
    expect(h[6]!.executionSucceededEventDetails).to.include({ output: '8' });
  });

  it('chains previousEventId per Map iteration back to MapStateStarted', async () => {
    const result = await run(
      { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } },
      [1, 2],
    );
    const started = result.history.find((e) => e.type === 'MapStateStarted')!;
    expect(started.mapStateStartedEventDetails).to.deep.equal({ length: 2 });
    const iterations = result.history.filter((e) => e.type === 'MapIterationStarted');
    expect(iterations.map((e) => e.mapIterationStartedEventDetails)).to.deep.equal([{ name: 'M', index: 0 }, { name: 'M', index: 1 }]);
    for (const it of iterations) expect(it.previousEventId).to.equal(started.id);
    const entered = result.history.filter((e) => e.type === 'PassStateEntered');
    expect(entered.map((e) => e.previousEventId).sort()).to.deep.equal(iterations.map((e) => e.id).sort());
  });

  it('streams events to subscribers while running, and stops after unsubscribe', async () => {
    const engine = testEngine();
    const execution = engine.startExecution(loadDefinition(loop(3)), {});
    const seen: HistoryEvent[] = [];
    const unsubscribe = execution.subscribe((e) => {
      seen.push(e);
      if (e.type === 'ChoiceStateEntered') unsubscribe();
    });
    await execution.done;
    // Subscribing right after startExecution sees every event, ExecutionStarted included.
    expect(types(seen)).to.deep.equal(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ChoiceStateEntered']);
    expect(execution.history.length).to.be.greaterThan(seen.length);
    await engine.close();
  });

  it('fills $$.Execution, $$.StateMachine and $$.State', async () => {
    const engine = testEngine();
    const execution = engine.startExecution(
      loadDefinition({ StartAt: 'Ctx', States: { Ctx: { Type: 'Pass', Parameters: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', 'sm.$': '$$.StateMachine.Id', 'entered.$': '$$.State.EnteredTime', 'start.$': '$$.Execution.StartTime' }, End: true } } }),
      {},
      { name: 'run-1', stateMachineName: 'Video' },
    );
    const { output } = await execution.done;
    const o = output as Record<string, string>;
    expect(execution.executionArn).to.equal('arn:aws:states:us-east-1:000000000000:execution:Video:run-1');
    expect(o.id).to.equal(execution.executionArn);
    expect(o.name).to.equal('run-1');
    expect(o.sm).to.equal('arn:aws:states:us-east-1:000000000000:stateMachine:Video');
    expect(Date.parse(o.entered)).to.be.at.least(Date.parse(o.start));
    await engine.close();
  });

  it('stop() aborts a running execution with ExecutionAborted and the given error and cause', async () => {
    const engine = testEngine({ timeScale: 1 });
    const execution = engine.startExecution(loadDefinition({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } }), {});
    expect(execution.status()).to.equal('RUNNING');
    await execution.stop({ error: 'Operator', cause: 'stopped by a test' });
    const result = await execution.done;
    expect(result).to.include({ status: 'ABORTED', error: 'Operator', cause: 'stopped by a test' });
    expect(execution.status()).to.equal('ABORTED');
    const last = execution.history.at(-1)!;
    expect(last.type).to.equal('ExecutionAborted');
    expect(last.executionAbortedEventDetails).to.deep.equal({ error: 'Operator', cause: 'stopped by a test' });
    expect(types(execution.history)).to.not.include('WaitStateExited');
    await engine.close();
  });

  it('stopping a Distributed Map stops its child executions (MapRunAborted, no MapStateExited)', async () => {
    const engine = testEngine();
    const children: Promise<{ status: string }>[] = [];
    engine.onExecutionStarted((child, parent) => parent && children.push(child.done));
    const execution = engine.startExecution(
      loadDefinition({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'H', States: { H: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Hang', End: true } } }, End: true } } }),
      [1, 2, 3],
    );
    while (children.length < 3) await new Promise((r) => setImmediate(r));
    await execution.stop();
    expect((await Promise.all(children)).map((r) => r.status)).to.deep.equal(['ABORTED', 'ABORTED', 'ABORTED']);
    const t = types(execution.history);
    expect(t).to.include('MapRunAborted');
    expect(t).to.not.include('MapStateExited');
    expect(t.at(-1)).to.equal('ExecutionAborted');
    await engine.close();
  });

  it('fails the execution when history would pass 25,000 events, as AWS does', async () => {
    // Init (2 events) + 4 per iteration: 7,000 iterations need ~28,000 events.
    const result = await run(loop(7_000), {});
    expect(result.status).to.equal('FAILED');
    expect(result.error).to.equal('States.Runtime');
    expect(result.cause).to.contain(String(MAX_HISTORY_EVENTS));
    expect(result.history).to.have.length(MAX_HISTORY_EVENTS + 1);
    expect(result.history.at(-1)!.type).to.equal('ExecutionFailed');
  });

  it('maxHistoryEvents can be raised for long local loops', async () => {
    const result = await run(loop(7_000), {}, { maxHistoryEvents: 40_000 });
    expect(result.status).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ i: 7_000 });
  });

  it('refuses a second execution with the same name on the same state machine', async () => {
    const engine = testEngine();
    const definition = loadDefinition(loop(1));
    await engine.startExecution(definition, {}, { name: 'once', stateMachineName: 'M' }).done;
    expect(() => engine.startExecution(definition, {}, { name: 'once', stateMachineName: 'M' })).to.throw(/ExecutionAlreadyExists/);
    const other = engine.startExecution(definition, {}, { name: 'once', stateMachineName: 'Other' });
    expect((await other.done).status).to.equal('SUCCEEDED');
    await engine.close();
  });

  it('rejects an execution input over 256 KiB before starting', () => {
    const engine = testEngine();
    expect(() => engine.startExecution(loadDefinition(loop(1)), { s: 'x'.repeat(262_145) })).to.throw(/above the maximum of 262144 bytes/);
  });

  it('fails with States.DataLimitExceeded when a state output passes 256 KiB', async () => {
    const s = 'x'.repeat(140 * 1024);
    const result = await run({ StartAt: 'S', States: { S: { Type: 'Pass', Parameters: { 'a.$': '$.s', 'b.$': '$.s' }, End: true } } }, { s });
    expect(result).to.include({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(result.cause).to.contain("state 'S'");
  });

  it('accepts a state output of exactly 262,144 bytes and fails one of 262,145 with States.DataLimitExceeded', async () => {
    const passing = (result: unknown) => ({ StartAt: 'S', States: { S: { Type: 'Pass', Result: result, End: true } } });
    const atLimit = jsonOfBytes(262_144);
    const overLimit = jsonOfBytes(262_145);
    expect(Buffer.byteLength(JSON.stringify(atLimit), 'utf8')).to.equal(262_144);
    expect(Buffer.byteLength(JSON.stringify(overLimit), 'utf8')).to.equal(262_145);

    const accepted = await run(passing(atLimit), {});
    expect(accepted.status).to.equal('SUCCEEDED');
    expect(accepted.output).to.deep.equal(atLimit);

    const refused = await run(passing(overLimit), {});
    expect(refused).to.include({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(refused.cause).to.contain("state 'S'").and.contain('262145 bytes');
  });

  it('runs at most 40 inline Map iterations at once, and honours a lower MaxConcurrency', async () => {
    for (const [maxConcurrency, expected] of [[0, 40], [3, 3]] as const) {
      const gate = heldUntilInFlight(expected);
      const result = await run(
        { StartAt: 'M', States: { M: { Type: 'Map', MaxConcurrency: maxConcurrency, ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Held', End: true } } }, End: true } } },
        Array.from({ length: 100 }, (_, i) => i),
        { taskHandlers: { ...testHandlers(), Held: gate.handler } },
      );
      expect(result.status).to.equal('SUCCEEDED');
      expect(gate.peak(), `MaxConcurrency ${maxConcurrency}`).to.equal(expected);
    }
  });

  it('states:startExecution.sync:2 runs a registered machine and returns its output', async () => {
    const engine = testEngine();
    engine.registerStateMachine('Child', loadDefinition({ StartAt: 'D', States: { D: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Double', End: true } } }));
    const children: string[] = [];
    engine.onExecutionStarted((e, parent) => parent && children.push(e.executionArn));
    const parent = engine.startExecution(
      loadDefinition({ StartAt: 'S', States: { S: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Child', 'Input.$': '$.n' }, ResultSelector: { 'out.$': '$.Output', 'status.$': '$.Status' }, End: true } } }),
      { n: 21 },
    );
    const result = await parent.done;
    expect(result.output).to.deep.equal({ out: 42, status: 'SUCCEEDED' });
    expect(children).to.have.length(1);
    await engine.close();
  });
});
