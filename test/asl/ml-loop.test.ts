// asl/ml.asl.json's control flow on the local engine, with the ML functions replaced by in-process fakes
// (the real ones run end to end in test/e2e/ml.test.ts): the train loop passes each turn's cursor to the
// next, continues in a fresh execution of the same machine every `turnsPerExecution` turns, ends with
// the first execution's output, keeps every execution far below AWS's 25,000 history events at the
// largest budget a job may ask, and records a failure inside a continuation as the task's own error.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { catalog } from '../../handlers/catalog';
import { MAX_TURNS_PER_EXECUTION } from '../../handlers/ml/job-input';
import { failureCause } from '../../handlers/shared/failure-cause';
import { createEngine, loadDefinition, type Execution } from '../../local/engine';
import { MAX_HISTORY_EVENTS } from '../../local/engine/quotas';
import { localPlaceholders } from '../../local/placeholders';

const text = readFileSync(new URL('../../asl/ml.asl.json', import.meta.url), 'utf8');

interface Fakes {
  /** Turns each trial takes before its loop is done. */
  turns: number[];
  /** Throw InvalidInput on this call of Train (1-based, over all trials). */
  failAtCall?: number;
}

interface Observed {
  trainCalls: { trial: number; cursor: { seq: number } | null }[];
  evaluateCalls: number;
  recordFailure: { Error?: string; Cause?: string }[];
  executions: Execution[];
}

async function runMachine(fakes: Fakes, turnsPerExecution: number): Promise<{ result: Awaited<Execution['done']>; observed: Observed }> {
  const observed: Observed = { trainCalls: [], evaluateCalls: 0, recordFailure: [], executions: [] };
  const placeholders = localPlaceholders({ functions: catalog, region: 'us-east-1', bucket: 'b', table: 't' });
  const definition = loadDefinition(text, { placeholders, fileName: 'asl/ml.asl.json' });
  const trials = fakes.turns.length;
  const engine = createEngine({
    lambda: { invoke: async (name) => Promise.reject(new Error(`no real Lambda here: ${name}`)) },
    timeScale: 0.001,
    taskHandlers: {
      MlPrepare: async () => ({
        task: 'classification',
        rows: {},
        items: Array.from({ length: trials }, (_, trial) => ({ trial, cursor: null })),
        turnsPerTrial: Math.max(1, Math.floor(turnsPerExecution / trials)),
        turnsPerExecution,
      }),
      MlTrain: async (input) => {
        const { trial, cursor } = input as { trial: number; cursor: { seq: number } | null };
        observed.trainCalls.push({ trial, cursor });
        if (observed.trainCalls.length === fakes.failAtCall) {
          const err = new Error('Training diverged: the batch loss is NaN');
          err.name = 'InvalidInput';
          throw err;
        }
        const seq = (cursor?.seq ?? 0) + 1;
        return { done: seq >= fakes.turns[trial]!, cursor: { seq, figures: { epochs: seq } }, epoch: seq, phase: 'train', batch: 1, bestEpoch: 0, bestValLoss: 0.5 };
      },
      MlEvaluate: async (input) => {
        observed.evaluateCalls += 1;
        return { jobId: (input as { jobId: string }).jobId, task: 'classification', headline: { name: 'accuracy', value: 0.97 }, outputs: [], reused: false };
      },
      RecordFailure: async (input) => {
        observed.recordFailure.push((input as { error: { Error?: string; Cause?: string } }).error);
        return {};
      },
    },
  });
  engine.registerStateMachine('ml', definition);
  engine.onExecutionStarted((e) => observed.executions.push(e));
  try {
    const execution = engine.startExecution(definition, { jobId: 'j1', input: { key: 'jobs/j1/input/source.csv' }, label: 'y' }, { stateMachineName: 'ml' });
    return { result: await execution.done, observed };
  } finally {
    await engine.close();
  }
}

/** Each trial's calls, checking that every call got the cursor the one before it returned. */
function expectCursorChain(calls: Observed['trainCalls'], trial: number, turns: number): void {
  const seqs = calls.filter((c) => c.trial === trial).map((c) => c.cursor?.seq ?? 0);
  expect(seqs, `trial ${trial}`).to.deep.equal(Array.from({ length: turns }, (_, i) => i));
}

describe('asl/ml.asl.json: the train loop and its continuations (fake functions)', function () {
  this.timeout(120_000);

  it('continues every turnsPerExecution turns, the cursor passed along, and ends with the first execution evaluating', async () => {
    const { result, observed } = await runMachine({ turns: [10] }, 3);
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    expect(result.output).to.deep.include({ jobId: 'j1', headline: { name: 'accuracy', value: 0.97 } });
    expectCursorChain(observed.trainCalls, 0, 10);
    // Turns 1-3 here, 4-6, 7-9 and 10 in three continuations, each started by the one before.
    expect(observed.executions).to.have.lengthOf(4);
    expect(observed.evaluateCalls).to.equal(1);
  });

  it('runs trials side by side, the budget shared between them', async () => {
    const { result, observed } = await runMachine({ turns: [5, 2, 7] }, 6);
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    [5, 2, 7].forEach((turns, trial) => expectCursorChain(observed.trainCalls, trial, turns));
    // Two turns a trial in the first execution; a continuation runs one trial, with the whole budget.
    expect(observed.executions).to.have.lengthOf(1 + 1 + 0 + 1);
  });

  it('keeps every execution far below 25,000 history events at the largest budget', async () => {
    const turns = 2 * MAX_TURNS_PER_EXECUTION + 5;
    const { result, observed } = await runMachine({ turns: [turns] }, MAX_TURNS_PER_EXECUTION);
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    expect(observed.executions).to.have.lengthOf(3);
    const longest = Math.max(...observed.executions.map((e) => e.history.length));
    const perTurn = longest / MAX_TURNS_PER_EXECUTION;
    console.log(`      ${MAX_TURNS_PER_EXECUTION} turns: ${longest} events (${perTurn.toFixed(1)} a turn)`);
    // Room for every turn to be retried once (a failed attempt adds 3 events).
    expect(longest + 3 * MAX_TURNS_PER_EXECUTION).to.be.below(MAX_HISTORY_EVENTS);
  });

  it('records a failure inside a continuation as the failing task\'s own error', async () => {
    const { result, observed } = await runMachine({ turns: [10], failAtCall: 5 }, 2);
    expect(result.status).to.equal('FAILED');
    // The continuation records InvalidInput; the executions that started it see their .sync task fail
    // (States.TaskFailed, the child's description as Cause), which RecordFailure resolves to the child's error.
    // Calls 1-2 here, 3-4 in the first continuation, 5 in the second: each execution records its failure.
    expect(observed.recordFailure.map((e) => e.Error)).to.deep.equal(['InvalidInput', 'States.TaskFailed', 'States.TaskFailed']);
    const recorded = await failureCause('j1', { error: observed.recordFailure.at(-1)!.Error!, cause: observed.recordFailure.at(-1)!.Cause! });
    expect(recorded.error).to.equal('InvalidInput');
    expect(recorded.cause).to.include('Training diverged');
  });
});
