// How the API maps the engine's callback tokens and Map Run records (their behaviour is the engine's, tested
// under test/local/engine): request checks, wire shapes, and the engine's errors in API terms.
import { expect } from 'chai';
import { apiError, closed, executionArn, machineArn, sfnFixture, type SfnFixture } from './sfn-harness';

const CALLBACK = JSON.stringify({
  StartAt: 'Wait',
  States: {
    Wait: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'Echo', Payload: { 'token.$': '$$.Task.Token' } },
      End: true,
    },
  },
});

const FAN_OUT = JSON.stringify({
  StartAt: 'Fan',
  States: {
    Fan: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      End: true,
    },
  },
});

/** Starts a callback execution and returns its ARN and the token its task handed out (read from history). */
async function waitingTask(sfn: SfnFixture, machine: string, name: string): Promise<{ arn: string; token: string }> {
  const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine, name });
  for (let i = 0; i < 200; i++) {
    const { events } = await sfn.call('GetExecutionHistory', { executionArn: arn });
    const scheduled = events.find((e: { type: string }) => e.type === 'TaskScheduled');
    const submitted = events.some((e: { type: string }) => e.type === 'TaskSubmitted' || e.type === 'TaskStarted');
    if (scheduled && submitted) return { arn, token: JSON.parse(scheduled.taskScheduledEventDetails.parameters).Payload.token };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the task never started');
}

describe('Step Functions API: callbacks and Map Runs', () => {
  let sfn: SfnFixture;
  beforeEach(() => (sfn = sfnFixture()));
  afterEach(() => sfn.close());

  describe('SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat', () => {
    it('checks the output before the engine sees it: InvalidOutput for text that is not JSON or is over 256 KiB', async () => {
      const machine = await sfn.create('callback', CALLBACK);
      const { arn, token } = await waitingTask(sfn, machine, 'c1');
      const notJson = await apiError(sfn.call('SendTaskSuccess', { taskToken: token, output: '{oops' }));
      expect(notJson.type).to.equal('InvalidOutput');
      const tooBig = await apiError(sfn.call('SendTaskSuccess', { taskToken: token, output: JSON.stringify('x'.repeat(262_144)) }));
      expect(tooBig.type).to.equal('InvalidOutput');
      expect(tooBig.message).to.contain('262146 bytes');
      expect((await sfn.call('DescribeExecution', { executionArn: arn })).status, 'refused answers leave the task waiting').to.equal('RUNNING');

      expect(await sfn.call('SendTaskHeartbeat', { taskToken: token })).to.deep.equal({});
      expect(await sfn.call('SendTaskSuccess', { taskToken: token, output: '{"ok":true}' })).to.deep.equal({});
      const described = await closed(sfn, arn);
      expect(described.status).to.equal('SUCCEEDED');
      expect(JSON.parse(described.output)).to.deep.equal({ ok: true });
    });

    it("maps the engine's token errors: a closed token is TaskDoesNotExist, a made-up one InvalidToken", async () => {
      const machine = await sfn.create('callback', CALLBACK);
      const { arn, token } = await waitingTask(sfn, machine, 'c2');
      await sfn.call('SendTaskFailure', { taskToken: token, error: 'Rejected', cause: 'by the test' });
      expect(await closed(sfn, arn)).to.deep.include({ status: 'FAILED', error: 'Rejected', cause: 'by the test' });
      expect((await apiError(sfn.call('SendTaskSuccess', { taskToken: token, output: '{}' }))).type).to.equal('TaskDoesNotExist');
      expect((await apiError(sfn.call('SendTaskHeartbeat', { taskToken: 'made-up' }))).type).to.equal('InvalidToken');
    });

    it('names a missing token and an error over 256 characters', async () => {
      const missing = await apiError(sfn.call('SendTaskHeartbeat', {}));
      expect(missing.type).to.equal('ValidationException');
      expect(missing.message).to.contain("'taskToken'");
      const long = await apiError(sfn.call('SendTaskFailure', { taskToken: 't', error: 'e'.repeat(257) }));
      expect(long.type).to.equal('ValidationException');
      expect(long.message).to.contain("'error'");
      const noOutput = await apiError(sfn.call('SendTaskSuccess', { taskToken: 't' }));
      expect(noOutput.message).to.contain("'output'");
    });
  });

  describe('ListMapRuns, DescribeMapRun, and a Map Run in other actions', () => {
    it("describes a finished Distributed Map's run, lists its children, and describes a child's machine", async () => {
      const machine = await sfn.create('fan', FAN_OUT);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine, input: JSON.stringify({ items: [1, 2, 3] }) });
      expect((await closed(sfn, arn)).status).to.equal('SUCCEEDED');

      const { mapRuns } = await sfn.call('ListMapRuns', { executionArn: arn });
      expect(mapRuns).to.have.length(1);
      const [run] = mapRuns;
      expect(run.executionArn).to.equal(arn);
      expect(run.mapRunArn).to.match(/^arn:aws:states:us-east-1:000000000000:mapRun:fan\/Fan:/);
      expect(run.stateMachineArn).to.equal(machineArn('fan/Fan'));
      expect(run.startDate).to.be.a('number');
      expect(run.stopDate).to.be.a('number').at.least(run.startDate);

      const described = await sfn.call('DescribeMapRun', { mapRunArn: run.mapRunArn });
      expect(described).to.deep.include({ mapRunArn: run.mapRunArn, executionArn: arn, status: 'SUCCEEDED', maxConcurrency: 2, startDate: run.startDate });
      expect(described.itemCounts).to.include({ total: 3, succeeded: 3, failed: 0, running: 0 });
      expect(described.executionCounts).to.include({ total: 3, succeeded: 3 });

      const children = await sfn.call('ListExecutions', { mapRunArn: run.mapRunArn, maxResults: 2 });
      expect(children.executions).to.have.length(2);
      expect(children.nextToken).to.be.a('string');
      for (const child of children.executions) expect(child).to.include({ mapRunArn: run.mapRunArn, status: 'SUCCEEDED' });

      const childMachine = await sfn.call('DescribeStateMachineForExecution', { executionArn: children.executions[0].executionArn });
      expect(childMachine).to.deep.include({ name: 'fan/Fan', mapRunArn: run.mapRunArn, roleArn: 'arn:aws:iam::000000000000:role/test-role' });
      expect(JSON.parse(childMachine.definition)).to.deep.include({ StartAt: 'P' });
    });

    it('answers ResourceNotFound for an unknown Map Run, InvalidArn for a malformed one, ExecutionDoesNotExist for ListMapRuns of an unknown execution', async () => {
      const unknown = 'arn:aws:states:us-east-1:000000000000:mapRun:fan/Fan:7b1e2f9c-0000-4000-8000-000000000000';
      expect((await apiError(sfn.call('DescribeMapRun', { mapRunArn: unknown }))).type).to.equal('ResourceNotFound');
      expect((await apiError(sfn.call('DescribeMapRun', { mapRunArn: executionArn('fan', 'x') }))).type).to.equal('InvalidArn');
      expect((await apiError(sfn.call('ListMapRuns', { executionArn: executionArn('fan', 'never') }))).type).to.equal('ExecutionDoesNotExist');
    });
  });
});
