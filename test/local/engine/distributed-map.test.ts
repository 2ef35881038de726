// Distributed Map items that fail before or without running: an item too big to start, and the shape a failed
// item takes in the Map output when there is no ResultWriter. In-process tasks only; S3 cases live in
// aws-integrations.test.ts.
import { expect } from 'chai';
import { loadDefinition, type Execution } from '../../../local/engine';
import { testEngine, types } from './harness';

const distributed = { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } };
// Doubling each item: a 140 KiB item becomes a 280 KiB child input, over the 256 KiB limit; the others stay small.
const doubling = { 'a.$': '$$.Map.Item.Value', 'b.$': '$$.Map.Item.Value' };
const big = { s: 'x'.repeat(140 * 1024) };

describe('Distributed Map failed items', () => {
  it('an item too big for a child execution is a failed item (States.DataLimitExceeded) counted against the tolerance', async () => {
    const engine = testEngine();
    const execution = engine.startExecution(
      loadDefinition({
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ToleratedFailureCount: 1,
            ItemSelector: doubling,
            ItemProcessor: { ...distributed, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            ResultSelector: { 'first.$': '$[0].a', 'statuses.$': '$[*].Status', 'errors.$': '$[*].Error', 'last.$': '$[2].b' },
            End: true,
          },
        },
      }),
      [{ n: 1 }, big, { n: 3 }],
    );
    const result = await execution.done;
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ first: { n: 1 }, statuses: ['FAILED'], errors: ['States.DataLimitExceeded'], last: { n: 3 } });
    expect(types(execution.history)).to.include('MapRunSucceeded');
    await engine.close();
  });

  it('past the tolerance, an item that cannot start fails the Map catchably, stops running children and records MapRunFailed', async () => {
    const engine = testEngine();
    const children: Execution[] = [];
    engine.onExecutionStarted((e, parent) => parent && children.push(e));
    const execution = engine.startExecution(
      loadDefinition({
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            MaxConcurrency: 4,
            ItemSelector: doubling,
            ItemProcessor: { ...distributed, StartAt: 'H', States: { H: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Hang', End: true } } },
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      }),
      [{ n: 1 }, { n: 2 }, big, { n: 4 }],
    );
    const result = await execution.done;
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    expect(result.output).to.deep.include({ Error: 'States.ExceedToleratedFailureThreshold' });
    expect(types(execution.history)).to.include('MapRunFailed');
    // The two items started before the big one hang: they must have been stopped, not left running.
    expect(children).to.have.length(2);
    expect(children.map((c) => c.status())).to.deep.equal(['ABORTED', 'ABORTED']);
    await engine.close();
  });

  it('without ResultWriter, a tolerated failed item is its full execution record, as with Transformation NONE', async () => {
    const engine = testEngine();
    const children: Execution[] = [];
    engine.onExecutionStarted((e, parent) => parent && children.push(e));
    const result = await engine.startExecution(
      loadDefinition({
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ToleratedFailureCount: 1,
            ItemProcessor: {
              ...distributed,
              StartAt: 'C',
              States: { C: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Ok' }], Default: 'Bad' }, Ok: { Type: 'Pass', Result: 'fine', End: true }, Bad: { Type: 'Fail', Error: 'Boom', Cause: 'bad item' } },
            },
            End: true,
          },
        },
      }),
      [{ ok: true }, { ok: false }],
    ).done;
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    const [first, failed] = result.output as [unknown, Record<string, unknown>];
    expect(first).to.equal('fine');
    const child = children[1]!;
    expect(failed).to.include({ ExecutionArn: child.executionArn, Name: child.name, StateMachineArn: child.stateMachineArn, Input: '{"ok":false}', Status: 'FAILED', Error: 'Boom', Cause: 'bad item' });
    expect(failed).to.have.property('StartDate').that.is.a('string');
    expect(failed).to.have.property('StopDate').that.is.a('string');
    await engine.close();
  });
});
