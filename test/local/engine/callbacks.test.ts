// Callback tasks (`.waitForTaskToken`): the token in `$$.Task.Token`, SendTaskSuccess / SendTaskFailure /
// SendTaskHeartbeat through the engine's control, HeartbeatSeconds and TimeoutSeconds, and the API's errors.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, DefinitionError, loadDefinition, StatesError, type Engine, type Execution, type HistoryEvent } from '../../../local/engine';
import { noLambda, testHandlers, types } from './harness';

/** A function that hands the test every payload it is invoked with (the token among them). */
function inbox() {
  const received: { token: string; order?: number }[] = [];
  const waiting: ((payload: { token: string }) => void)[] = [];
  return {
    calls: () => received.length,
    handler: async (input: unknown) => {
      const payload = input as { token: string };
      received.push(payload);
      waiting.shift()?.(payload);
      return { queued: true };
    },
    /** The payload of call number `n` (from 0), once it has come. */
    call(n: number): Promise<{ token: string }> {
      if (received[n]) return Promise.resolve(received[n]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** A callback task `Approve` with `fields` added (with a `Next`, it does not end), and `more` states. */
const approve = (fields: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => loadDefinition({
  StartAt: 'Approve',
  States: {
    Approve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'Inbox', Payload: { 'token.$': '$$.Task.Token', 'order.$': '$.order' } },
      ResultSelector: { 'approved.$': '$.approved' },
      ResultPath: '$.decision',
      ...('Next' in fields ? {} : { End: true }),
      ...fields,
    },
    ...more,
  },
});

function details(event: HistoryEvent | undefined): Record<string, unknown> {
  const key = Object.keys(event ?? {}).find((k) => k.endsWith('EventDetails'));
  return key ? event![key as `${string}EventDetails`]! : {};
}
const eventOf = (history: HistoryEvent[], type: string) => history.find((e) => e.type === type);

/** The StatesError a control call throws; fails the test when it does not throw. */
function errorOf(call: () => void): StatesError {
  try {
    call();
  } catch (err) {
    expect(err).to.be.instanceOf(StatesError);
    return err as StatesError;
  }
  throw new Error('expected the call to be refused');
}

describe('callback tasks (.waitForTaskToken)', function () {
  this.timeout(20_000);
  let engine: Engine;
  let box: ReturnType<typeof inbox>;
  const start = (timeScale: number) => {
    box = inbox();
    engine = createEngine({ lambda: noLambda, taskHandlers: { ...testHandlers(), Inbox: box.handler }, timeScale });
    return engine;
  };
  afterEach(async () => engine && (await engine.close()));

  it('SendTaskSuccess: TaskSubmitted holds the call, the output goes through ResultSelector and ResultPath', async () => {
    start(0.001);
    const execution = engine.startExecution(approve(), { order: 7 }, { name: 'order-7', stateMachineName: 'Approvals' });
    const { token } = await box.call(0);
    engine.control.sendTaskSuccess(token, JSON.stringify({ approved: true, by: 'ann' }));
    const result = await execution.done;

    expect(result.status, result.cause).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ order: 7, decision: { approved: true } });
    expect(types(execution.history)).to.deep.equal([
      'ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    const scheduled = eventOf(execution.history, 'TaskScheduled')!;
    expect(details(scheduled)).to.include({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken' });
    expect(JSON.parse(details(scheduled).parameters as string)).to.deep.equal({ FunctionName: 'Inbox', Payload: { token, order: 7 } });
    // The token stands for the execution and its TaskScheduled event, so a resumed execution hands out the same one.
    expect(Buffer.from(token, 'base64url').toString('utf8')).to.equal(`${execution.executionArn}#${scheduled.id}`);
    expect(JSON.parse(details(eventOf(execution.history, 'TaskSubmitted')).output as string)).to.include({ StatusCode: 200 })
      .and.have.deep.property('Payload', { queued: true });
    expect(details(eventOf(execution.history, 'TaskSucceeded'))).to.include({ resource: 'invoke.waitForTaskToken', output: '{"approved":true,"by":"ann"}' });
  });

  it('SendTaskFailure: TaskFailed with the error and cause given, which Catch handles', async () => {
    start(0.001);
    const definition = approve(
      { Catch: [{ ErrorEquals: ['Rejected'], ResultPath: '$.rejection', Next: 'Refund' }], Next: 'Ship' },
      { Ship: { Type: 'Succeed' }, Refund: { Type: 'Pass', End: true } },
    );
    const execution = engine.startExecution(definition, { order: 8 });
    engine.control.sendTaskFailure((await box.call(0)).token, 'Rejected', 'too expensive');
    const result = await execution.done;

    expect(result.status, result.cause).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ order: 8, rejection: { Error: 'Rejected', Cause: 'too expensive' } });
    expect(details(eventOf(execution.history, 'TaskFailed'))).to.deep.equal({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: 'Rejected', cause: 'too expensive' });
    expect(execution.history.filter((e) => e.type === 'TaskStateEntered' || e.type === 'PassStateEntered').map((e) => details(e).name)).to.deep.equal(['Approve', 'Refund']);
  });

  it('HeartbeatSeconds without a heartbeat: TaskTimedOut with States.HeartbeatTimeout, which States.Timeout catches', async () => {
    start(0.05); // HeartbeatSeconds 2 → 100 ms
    const failing = engine.startExecution(approve({ HeartbeatSeconds: 2 }), { order: 9 });
    const { token } = await box.call(0);
    const result = await failing.done;
    expect(result.status).to.equal('FAILED');
    expect(result.error).to.equal('States.HeartbeatTimeout');
    expect(details(eventOf(failing.history, 'TaskScheduled'))).to.include({ heartbeatInSeconds: 2 });
    expect(details(eventOf(failing.history, 'TaskTimedOut'))).to.include({ resource: 'invoke.waitForTaskToken', error: 'States.HeartbeatTimeout' });
    expect(errorOf(() => engine.control.sendTaskSuccess(token, '{}')).error).to.equal('TaskTimedOut');

    // States.TaskFailed does not match a timeout; States.Timeout matches a missed heartbeat too.
    const caught = engine.startExecution(approve(
      { HeartbeatSeconds: 2, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Failed' }, { ErrorEquals: ['States.Timeout'], Next: 'TimedOut' }], Next: 'Failed' },
      { Failed: { Type: 'Fail', Error: 'Wrong' }, TimedOut: { Type: 'Pass', End: true } },
    ), { order: 10 });
    const caughtResult = await caught.done;
    expect(caughtResult.status, caughtResult.cause).to.equal('SUCCEEDED');
    expect((caughtResult.output as { Error: string }).Error).to.equal('States.HeartbeatTimeout');
  });

  it('heartbeats keep a task alive past HeartbeatSeconds', async () => {
    start(0.1); // HeartbeatSeconds 2 → 200 ms, beats every 30 ms: room for a slow machine
    const execution = engine.startExecution(approve({ HeartbeatSeconds: 2 }), { order: 11 });
    const { token } = await box.call(0);
    const began = Date.now();
    while (Date.now() - began < 600) {
      engine.control.sendTaskHeartbeat(token);
      await new Promise((r) => setTimeout(r, 30));
    }
    engine.control.sendTaskSuccess(token, '{"approved":false}');
    const result = await execution.done;
    expect(result.status, result.cause).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ order: 11, decision: { approved: false } });
    const waited = eventOf(execution.history, 'TaskSucceeded')!.timestamp.getTime() - eventOf(execution.history, 'TaskSubmitted')!.timestamp.getTime();
    expect(waited).to.be.at.least(600);
  });

  it('TimeoutSeconds ends the wait (States.Timeout) however many heartbeats come', async () => {
    start(0.1); // TimeoutSeconds 4 → 400 ms, HeartbeatSeconds 2 → 200 ms
    const execution = engine.startExecution(approve({ TimeoutSeconds: 4, HeartbeatSeconds: 2 }), { order: 12 });
    const { token } = await box.call(0);
    const beat = setInterval(() => {
      try {
        engine.control.sendTaskHeartbeat(token);
      } catch {
        clearInterval(beat);
      }
    }, 30);
    const result = await execution.done;
    clearInterval(beat);
    expect(result.status).to.equal('FAILED');
    expect(result.error).to.equal('States.Timeout');
    expect(details(eventOf(execution.history, 'TaskScheduled'))).to.include({ timeoutInSeconds: 4, heartbeatInSeconds: 2 });
    expect(details(eventOf(execution.history, 'TaskTimedOut'))).to.include({ error: 'States.Timeout' });
    expect(errorOf(() => engine.control.sendTaskHeartbeat(token)).error).to.equal('TaskTimedOut');
  });

  it('refuses a malformed token, an unknown one, output that is not JSON, and any call once the task closed', async () => {
    start(0.001);
    expect(errorOf(() => engine.control.sendTaskSuccess('not a token!', '{}')).error).to.equal('InvalidToken');
    expect(errorOf(() => engine.control.sendTaskHeartbeat(Buffer.from('hello').toString('base64url'))).error).to.equal('InvalidToken');
    const unknown = Buffer.from('arn:aws:states:us-east-1:000000000000:execution:Approvals:gone#5').toString('base64url');
    expect(errorOf(() => engine.control.sendTaskFailure(unknown, 'E', 'C')).error).to.equal('TaskDoesNotExist');

    const execution = engine.startExecution(approve(), { order: 13 });
    const { token } = await box.call(0);
    expect(errorOf(() => engine.control.sendTaskSuccess(token, '{"approved": tru')).error).to.equal('InvalidOutput');
    engine.control.sendTaskHeartbeat(token); // still open: a refused output does not close the task
    engine.control.sendTaskSuccess(token, '{"approved":true}');
    expect((await execution.done).status).to.equal('SUCCEEDED');
    expect(errorOf(() => engine.control.sendTaskSuccess(token, '{}')).error).to.equal('TaskDoesNotExist');
    expect(errorOf(() => engine.control.sendTaskFailure(token)).error).to.equal('TaskDoesNotExist');
    expect(errorOf(() => engine.control.sendTaskHeartbeat(token)).error).to.equal('TaskDoesNotExist');
  });

  it('takes an answer sent while the call is still running (the function calls SendTaskSuccess itself)', async () => {
    box = inbox();
    engine = createEngine({
      lambda: noLambda,
      timeScale: 0.001,
      taskHandlers: {
        Inbox: async (input) => {
          engine.control.sendTaskSuccess((input as { token: string }).token, '{"approved":true}');
          return { answered: true };
        },
      },
    });
    const execution = engine.startExecution(approve(), { order: 14 });
    const result = await execution.done;
    expect(result.status, result.cause).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ order: 14, decision: { approved: true } });
    expect(types(execution.history).slice(4, 6)).to.deep.equal(['TaskSubmitted', 'TaskSucceeded']);
  });

  it('states:startExecution.waitForTaskToken waits for the child to send the token back', async () => {
    start(0.001);
    const childArn = engine.registerStateMachine('Child', loadDefinition({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } }));
    const definition = loadDefinition({
      StartAt: 'RunChild',
      States: {
        RunChild: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.waitForTaskToken',
          Parameters: { StateMachineArn: childArn, Input: { 'token.$': '$$.Task.Token' } },
          End: true,
        },
      },
    });
    let child: Execution | undefined;
    engine.onExecutionStarted((execution, parent) => {
      if (parent) child = execution;
    });
    const parent = engine.startExecution(definition, {});
    const childResult = await new Promise<Execution>((resolve) => {
      const poll = setInterval(() => child && (clearInterval(poll), resolve(child)), 5);
    }).then((c) => c.done);
    engine.control.sendTaskSuccess((childResult.output as { token: string }).token, '"child done"');
    const result = await parent.done;
    expect(result.status, result.cause).to.equal('SUCCEEDED');
    expect(result.output).to.equal('child done');
    expect(JSON.parse(details(eventOf(parent.history, 'TaskSubmitted')).output as string)).to.have.property('ExecutionArn', child!.executionArn);
  });

  it('checks HeartbeatSeconds against TimeoutSeconds: at load, and at run time for the …Path forms', async () => {
    let loadError: unknown;
    try {
      approve({ HeartbeatSeconds: 10, TimeoutSeconds: 10 });
    } catch (err) {
      loadError = err;
    }
    expect(loadError).to.be.instanceOf(DefinitionError);
    expect((loadError as DefinitionError).problems).to.deep.equal(["state 'Approve': HeartbeatSeconds (10) must be smaller than TimeoutSeconds (10)"]);

    start(0.001);
    const result = await engine.startExecution(approve({ HeartbeatSecondsPath: '$.beat', TimeoutSeconds: 5 }), { order: 15, beat: 5 }).done;
    expect(result.status).to.equal('FAILED');
    expect(result.error).to.equal('States.Runtime');
    expect(result.cause).to.contain('HeartbeatSeconds (5) must be smaller than TimeoutSeconds (5)');
    expect(box.calls()).to.equal(0);
  });

  it('a task still waiting when the engine stops waits again after a restart, with the same token, not called twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'longhaul-callbacks-'));
    try {
      box = inbox();
      const first = createEngine({ lambda: noLambda, taskHandlers: { Inbox: box.handler }, timeScale: 0.001, durableDir: dir });
      const execution = first.startExecution(approve(), { order: 16 }, { name: 'waits', stateMachineName: 'Approvals' });
      const { token } = await box.call(0);
      // Stopped once the call has returned and TaskSubmitted is recorded: the task is only waiting.
      while (!execution.history.some((e) => e.type === 'TaskSubmitted')) await new Promise((r) => setTimeout(r, 5));
      await first.close();

      engine = createEngine({ lambda: noLambda, taskHandlers: { Inbox: box.handler }, timeScale: 0.001, durableDir: dir });
      const resumed = new Promise<Execution>((resolve) => engine.onExecutionStarted((e) => resolve(e)));
      expect(engine.resumeExecutions()).to.equal(1);
      const again = await resumed;
      // The replay reaches the waiting task within a few turns of the event loop; until then the token is unknown.
      for (let i = 0; ; i++) {
        try {
          engine.control.sendTaskHeartbeat(token);
          break;
        } catch (err) {
          if (i > 200 || (err as StatesError).error !== 'TaskDoesNotExist') throw err;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      engine.control.sendTaskSuccess(token, '{"approved":true}');
      const result = await again.done;
      expect(again.executionArn).to.equal(execution.executionArn);
      expect(result.status, result.cause).to.equal('SUCCEEDED');
      expect(result.output).to.deep.equal({ order: 16, decision: { approved: true } });
      expect(box.calls()).to.equal(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
