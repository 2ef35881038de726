// Long delays: Node's setTimeout fires anything above 2^31-1 ms (~24.8 days) after 1 ms, so the engine chains them.
import { expect } from 'chai';
import { loadDefinition } from '../../../local/engine';
import { setLongTimeout, type TimerApi } from '../../../local/engine/timers';
import { testEngine, testHandlers } from './harness';

/** Timers that run only when the test says so, recording each delay asked for. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const delays: number[] = [];
  let next = 0;
  const api: TimerApi = {
    setTimeout(fn, ms) {
      delays.push(ms);
      pending.set(++next, { fn, ms });
      return next;
    },
    clearTimeout(timer) {
      pending.delete(timer as number);
    },
  };
  const fireNext = () => {
    const [id, t] = [...pending.entries()][0]!;
    pending.delete(id);
    t.fn();
  };
  return { api, delays, pending, fireNext };
}

const THIRTY_DAYS_S = 30 * 24 * 3600;
const sleepingTask = (ms: number) => async (input: unknown) => {
  await new Promise((r) => setTimeout(r, ms));
  return input;
};

describe('long timers', () => {
  it('chains a delay longer than the maximum through maximum-sized steps, then the remainder', () => {
    const t = manualTimers();
    let fired = 0;
    setLongTimeout(() => fired++, 35, 10, t.api);
    for (let i = 0; i < 3; i++) {
      t.fireNext();
      expect(fired, `after step ${i + 1}`).to.equal(0);
    }
    t.fireNext();
    expect(t.delays).to.deep.equal([10, 10, 10, 5]);
    expect(fired).to.equal(1);
    expect(t.pending.size).to.equal(0);
  });

  it('uses a single timer when the delay fits, and cancels mid-chain', () => {
    const t = manualTimers();
    setLongTimeout(() => {}, 7, 10, t.api);
    expect(t.delays).to.deep.equal([7]);

    const c = manualTimers();
    let fired = false;
    const cancel = setLongTimeout(() => (fired = true), 25, 10, c.api);
    c.fireNext();
    cancel();
    expect(c.pending.size).to.equal(0);
    expect(fired).to.equal(false);
  });

  it('a 30-day machine TimeoutSeconds at time scale 1 does not end a 200 ms execution', async () => {
    const engine = testEngine({ timeScale: 1, taskHandlers: { ...testHandlers(), Sleep: sleepingTask(200) } });
    const result = await engine.startExecution(
      loadDefinition({ TimeoutSeconds: THIRTY_DAYS_S, StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Sleep', End: true } } }),
      { a: 1 },
    ).done;
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ a: 1 });
    await engine.close();
  });

  it('a 35-day task TimeoutSeconds at time scale 1 does not time out a 200 ms task', async () => {
    const engine = testEngine({ timeScale: 1, taskHandlers: { ...testHandlers(), Sleep: sleepingTask(200) } });
    const result = await engine.startExecution(
      loadDefinition({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Sleep', TimeoutSeconds: 35 * 24 * 3600, End: true } } }),
      'in',
    ).done;
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    await engine.close();
  });

  it('a 35-day Wait at time scale 1 is still waiting after a 200 ms task elsewhere', async () => {
    const engine = testEngine({ timeScale: 1, taskHandlers: { ...testHandlers(), Sleep: sleepingTask(200) } });
    const execution = engine.startExecution(
      loadDefinition({
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            End: true,
            Branches: [
              { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 35 * 24 * 3600, End: true } } },
              { StartAt: 'S', States: { S: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Sleep', End: true } } },
            ],
          },
        },
      }),
      {},
    );
    // The other branch's 200 ms task finishing is the reference point: the Wait must not have ended before it.
    while (!execution.history.some((e) => e.type === 'LambdaFunctionSucceeded')) await new Promise((r) => setTimeout(r, 20));
    expect(execution.history.map((e) => e.type)).to.not.include('WaitStateExited');
    expect(execution.status()).to.equal('RUNNING');
    await execution.stop();
    expect((await execution.done).status).to.equal('ABORTED');
    await engine.close();
  });
});
