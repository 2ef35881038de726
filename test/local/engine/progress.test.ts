import { expect } from 'chai';
import { loadDefinition } from '../../../local/engine';
import { reportProgress } from '../../../local/engine/progress';
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
});
