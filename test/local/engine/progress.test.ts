import { expect } from 'chai';
import { loadDefinition } from '../../../local/engine';
import { reportMapRuns, reportProgress } from '../../../local/engine/progress';
import { detailsKey } from '../../../local/engine/history';
import { testEngine } from './harness';

describe('progress and history details', () => {
  it('names details fields as GetExecutionHistory does', () => {
    expect(detailsKey('TaskStateEntered')).to.equal('stateEnteredEventDetails');
    expect(detailsKey('MapStateExited')).to.equal('stateExitedEventDetails');
    expect(detailsKey('LambdaFunctionFailed')).to.equal('lambdaFunctionFailedEventDetails');
    expect(detailsKey('MapIterationStarted')).to.equal('mapIterationStartedEventDetails');
  });

  it('shows main-line states, Map items done/total and retries, not every iteration state', async () => {
    const engine = testEngine();
    const execution = engine.startExecution(
      loadDefinition({
        StartAt: 'Fan',
        States: {
          Fan: { Type: 'Map', ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', End: true } } }, Next: 'Flaky' },
          Flaky: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Flaky', Parameters: { key: 'progress', times: 1, errorType: 'Transient' }, Retry: [{ ErrorEquals: ['Transient'] }], End: true },
        },
      }),
      [1, 2, 3],
    );
    const lines: string[] = [];
    reportProgress(execution, { write: (l) => lines.push(l), mapIntervalMs: 60_000 });
    await execution.done;
    expect(lines).to.deep.equal([
      '▶ Fan (Map)',
      '  Fan: 0/3 items done',
      '  Fan: 3/3 items done',
      '▶ Flaky (Task)',
      '  ✗ Flaky: Transient ({"errorType":"Transient","errorMessage":"attempt 1 fails"})',
      '  ↻ Flaky: retry 1 after Transient',
    ]);
    await engine.close();
  });

  it('counts an outer Map by its own iterations when each iteration runs an inner Map', async () => {
    const engine = testEngine();
    const execution = engine.startExecution(
      loadDefinition({
        StartAt: 'Outer',
        States: {
          Outer: {
            Type: 'Map',
            ItemsPath: '$.rows',
            End: true,
            ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Map', End: true, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } } } },
          },
        },
      }),
      { rows: [[1, 2], [3, 4, 5], [6]] },
    );
    const lines: string[] = [];
    reportProgress(execution, { write: (l) => lines.push(l), mapIntervalMs: 0 });
    await execution.done;
    // Inner Maps are counted but not printed; the outer Map reaches 3/3 one iteration at a time.
    expect(lines).to.deep.equal(['▶ Outer (Map)', '  Outer: 0/3 items done', '  Outer: 1/3 items done', '  Outer: 2/3 items done', '  Outer: 3/3 items done']);
    await engine.close();
  });

  it('prints a Distributed Map\'s done/total at its start, every tenth of its items at most, and at its end', async () => {
    const engine = testEngine();
    const lines: string[] = [];
    // A clock that never moves: only the 10% steps and the start and end lines may print.
    reportMapRuns(engine, { write: (l) => lines.push(l), mapIntervalMs: 60_000, now: () => 0 });
    const execution = engine.startExecution(
      loadDefinition({
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ToleratedFailureCount: 20,
            ItemProcessor: {
              ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
              StartAt: 'C',
              States: { C: { Type: 'Choice', Choices: [{ Variable: '$', NumericLessThan: 5, Next: 'Bad' }], Default: 'Ok' }, Ok: { Type: 'Pass', End: true }, Bad: { Type: 'Fail', Error: 'Bad' } },
            },
            End: true,
          },
        },
      }),
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect((await execution.done).status).to.equal('SUCCEEDED');
    const done = lines.map((l) => /^ {2}Fan: (\d+)\/20 items done/.exec(l)?.[1]);
    expect(done).to.deep.equal(['0', '2', '4', '6', '8', '10', '12', '14', '16', '18', '20']);
    expect(lines.at(-1)).to.equal('  Fan: 20/20 items done, 5 failed');
    await engine.close();
  });
});
