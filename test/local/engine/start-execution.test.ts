// StartExecution's refusals carry the error names AWS's states:startExecution integration reports, so Retry
// and Catch can match them, both for engine callers and for Task states.
import { expect } from 'chai';
import { loadDefinition, StatesError } from '../../../local/engine';
import { testEngine } from './harness';
import { thrown } from '../../support/thrown';

const child = loadDefinition({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
const CHILD_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Child';

describe('startExecution errors', () => {
  it('names a duplicate, a bad name and an oversize input as StepFunctions.*Exception errors', async () => {
    const engine = testEngine();
    await engine.startExecution(child, {}, { name: 'once', stateMachineName: 'M' }).done;
    expect(thrown(StatesError, () => engine.startExecution(child, {}, { name: 'once', stateMachineName: 'M' })).error).to.equal('StepFunctions.ExecutionAlreadyExistsException');
    expect(thrown(StatesError, () => engine.startExecution(child, {}, { name: 'has space' })).error).to.equal('StepFunctions.InvalidNameException');
    expect(thrown(StatesError, () => engine.startExecution(child, { s: 'x'.repeat(262_145) })).error).to.equal('StepFunctions.InvalidExecutionInputException');
    await engine.close();
  });

  it('a startExecution task that reuses a name is caught by its AWS error name', async () => {
    const engine = testEngine();
    engine.registerStateMachine('Child', child);
    const start = (next: object) => ({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: CHILD_ARN, Name: 'fixed' }, ResultPath: null, ...next });
    const result = await engine.startExecution(
      loadDefinition({
        StartAt: 'First',
        States: {
          First: start({ Next: 'Second' }),
          Second: start({ Catch: [{ ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'], ResultPath: '$.err', Next: 'Caught' }], End: true }),
          Caught: { Type: 'Pass', End: true },
        },
      }),
      {},
    ).done;
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    const err = (result.output as { err: { Error: string; Cause: string } }).err;
    expect(err.Error).to.equal('StepFunctions.ExecutionAlreadyExistsException');
    expect(err.Cause).to.contain(':execution:Child:fixed');
    await engine.close();
  });

  it('a startExecution task with an invalid Name is retried and caught as StepFunctions.InvalidNameException', async () => {
    const engine = testEngine();
    engine.registerStateMachine('Child', child);
    const execution = engine.startExecution(
      loadDefinition({
        StartAt: 'S',
        States: {
          S: {
            Type: 'Task',
            Resource: 'arn:aws:states:::states:startExecution',
            Parameters: { StateMachineArn: CHILD_ARN, Name: 'no/slashes' },
            Retry: [{ ErrorEquals: ['StepFunctions.InvalidNameException'], MaxAttempts: 1 }],
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      }),
      {},
    );
    const result = await execution.done;
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    expect(result.output).to.deep.include({ Error: 'StepFunctions.InvalidNameException' });
    expect(execution.history.filter((e) => e.type === 'TaskFailed')).to.have.length(2);
    await engine.close();
  });
});
