import { expect } from 'chai';
import { parseMockConfig } from '../../../../local/engine/mock-config';
import { apiError, closed, executionArn, FAIL, HANG, machineArn, PASS, sfnFixture, type SfnFixture } from './sfn-harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every page of a paginated action, following nextToken. */
async function allPages(sfn: SfnFixture, action: string, body: Record<string, unknown>, field: string): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await sfn.call(action, { ...body, ...(nextToken ? { nextToken } : {}) });
    items.push(...page[field]);
    nextToken = page.nextToken;
    pages++;
  } while (nextToken);
  return { items, pages };
}

describe('Step Functions API: executions', () => {
  let sfn: SfnFixture;
  beforeEach(() => (sfn = sfnFixture()));
  afterEach(() => sfn.close());

  describe('StartExecution and DescribeExecution', () => {
    it('starts an execution and describes it in AWS shapes, times in epoch seconds', async () => {
      const machine = await sfn.create('pass', PASS);
      const before = Date.now() / 1000;
      const started = await sfn.call('StartExecution', { stateMachineArn: machine, name: 'first', input: '{"a": 1}' });
      expect(started).to.have.keys('executionArn', 'startDate');
      expect(started.executionArn).to.equal(executionArn('pass', 'first'));
      expect(started.startDate).to.be.a('number').within(before - 0.001, Date.now() / 1000);

      const described = await closed(sfn, started.executionArn);
      expect(described).to.deep.include({
        executionArn: started.executionArn,
        stateMachineArn: machine,
        name: 'first',
        status: 'SUCCEEDED',
        startDate: started.startDate,
        inputDetails: { included: true },
        outputDetails: { included: true },
        redriveCount: 0,
      });
      expect(JSON.parse(described.input)).to.deep.equal({ a: 1 });
      expect(JSON.parse(described.output)).to.deep.equal({ a: 1 });
      expect(described.stopDate).to.be.a('number').at.least(described.startDate);
      expect(described).not.to.have.any.keys('error', 'cause', 'mapRunArn');
    });

    it('defaults the name to a UUID and the input to {}', async () => {
      const machine = await sfn.create('pass', PASS);
      const started = await sfn.call('StartExecution', { stateMachineArn: machine });
      const described = await closed(sfn, started.executionArn);
      expect(described.name).to.match(UUID);
      expect(described.input).to.equal('{}');
    });

    it('leaves input and output out with includedData METADATA_ONLY', async () => {
      const machine = await sfn.create('pass', PASS);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine, input: '{"secret":1}' });
      await closed(sfn, arn);
      const described = await sfn.call('DescribeExecution', { executionArn: arn, includedData: 'METADATA_ONLY' });
      expect(described.status).to.equal('SUCCEEDED');
      expect(described).not.to.have.any.keys('input', 'output', 'inputDetails', 'outputDetails');
    });

    it('describes a failed execution with its error and cause', async () => {
      const machine = await sfn.create('fails', FAIL);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine });
      const described = await closed(sfn, arn);
      expect(described).to.deep.include({ status: 'FAILED', error: 'Boom', cause: 'on purpose', redriveStatus: 'REDRIVABLE' });
      expect(described).not.to.have.property('output');
    });

    it('accepts an input of exactly 256 KiB and refuses one byte more: InvalidExecutionInput', async () => {
      const machine = await sfn.create('pass', PASS);
      const input = (bytes: number) => JSON.stringify('x'.repeat(bytes - 2));
      expect(Buffer.byteLength(input(262_144))).to.equal(262_144);
      const ok = await sfn.call('StartExecution', { stateMachineArn: machine, input: input(262_144) });
      expect((await closed(sfn, ok.executionArn)).status).to.equal('SUCCEEDED');
      const error = await apiError(sfn.call('StartExecution', { stateMachineArn: machine, input: input(262_145) }));
      expect(error.type).to.equal('InvalidExecutionInput');
      expect(error.message).to.contain('262145 bytes');
      const multiByte = await apiError(sfn.call('StartExecution', { stateMachineArn: machine, input: JSON.stringify('é'.repeat(131_072)) }));
      expect(multiByte.type, 'counted in UTF-8 bytes, not characters').to.equal('InvalidExecutionInput');
    });

    it('refuses input that is not JSON: InvalidExecutionInput', async () => {
      const machine = await sfn.create('pass', PASS);
      const error = await apiError(sfn.call('StartExecution', { stateMachineArn: machine, input: '{"a":' }));
      expect(error.type).to.equal('InvalidExecutionInput');
      expect(error.message).to.contain('not valid JSON');
    });

    it('refuses a bad name (InvalidName), an unknown machine (StateMachineDoesNotExist), a malformed ARN (InvalidArn)', async () => {
      const machine = await sfn.create('pass', PASS);
      expect((await apiError(sfn.call('StartExecution', { stateMachineArn: machine, name: 'no/slash' }))).type).to.equal('InvalidName');
      expect((await apiError(sfn.call('StartExecution', { stateMachineArn: machineArn('ghost') }))).type).to.equal('StateMachineDoesNotExist');
      expect((await apiError(sfn.call('StartExecution', { stateMachineArn: 'pass' }))).type).to.equal('InvalidArn');
      expect((await apiError(sfn.call('StartExecution', { stateMachineArn: executionArn('pass', 'x') }))).type).to.equal('InvalidArn');
      const missing = await apiError(sfn.call('StartExecution', {}));
      expect(missing.type).to.equal('ValidationException');
      expect(missing.message).to.contain("'stateMachineArn'");
    });

    it('follows AWS for a name already used: same input while running returns it, other input or a closed execution is ExecutionAlreadyExists', async () => {
      const machine = await sfn.create('hang', HANG);
      const first = await sfn.call('StartExecution', { stateMachineArn: machine, name: 'job-1', input: '{"x":1}' });
      const again = await sfn.call('StartExecution', { stateMachineArn: machine, name: 'job-1', input: '{"x":1}' });
      expect(again).to.deep.equal(first);
      const listed = await sfn.call('ListExecutions', { stateMachineArn: machine });
      expect(listed.executions).to.have.length(1);

      const other = await apiError(sfn.call('StartExecution', { stateMachineArn: machine, name: 'job-1', input: '{"x":2}' }));
      expect(other.type).to.equal('ExecutionAlreadyExists');

      await sfn.call('StopExecution', { executionArn: first.executionArn });
      const afterClose = await apiError(sfn.call('StartExecution', { stateMachineArn: machine, name: 'job-1', input: '{"x":1}' }));
      expect(afterClose.type).to.equal('ExecutionAlreadyExists');
    });

    it('runs `<arn>#<TestCase>` with that test case of the mock configuration, and maps an unknown one to InvalidArn', async () => {
      const mockConfig = parseMockConfig({
        StateMachines: { hang: { TestCases: { HappyPath: { H: 'Answer' } } } },
        MockedResponses: { Answer: { '0': { Return: { mocked: true } } } },
      });
      const mocked = sfnFixture({ engine: { mockConfig } });
      try {
        const machine = await mocked.create('hang', HANG);
        const { executionArn: arn } = await mocked.call('StartExecution', { stateMachineArn: `${machine}#HappyPath`, name: 'mocked' });
        const described = await closed(mocked, arn);
        expect(described.status).to.equal('SUCCEEDED');
        expect(JSON.parse(described.output)).to.deep.equal({ mocked: true });
        const unknown = await apiError(mocked.call('StartExecution', { stateMachineArn: `${machine}#SadPath` }));
        expect(unknown.type).to.equal('InvalidArn');
        expect(unknown.message).to.contain('SadPath');
        expect((await apiError(mocked.call('StartExecution', { stateMachineArn: `${machine}#` }))).type).to.equal('InvalidArn');
      } finally {
        await mocked.close();
      }
    });

    it('answers ExecutionDoesNotExist for an unknown execution and InvalidArn for a malformed one', async () => {
      const unknown = await apiError(sfn.call('DescribeExecution', { executionArn: executionArn('pass', 'never') }));
      expect(unknown.type).to.equal('ExecutionDoesNotExist');
      expect(unknown.message).to.contain(executionArn('pass', 'never'));
      expect((await apiError(sfn.call('DescribeExecution', { executionArn: machineArn('pass') }))).type).to.equal('InvalidArn');
    });
  });

  describe('ListExecutions', () => {
    it('lists newest first in pages, every execution once, and filters by status', async () => {
      const machine = await sfn.create('hang', HANG);
      const names = ['e1', 'e2', 'e3', 'e4', 'e5'];
      for (const name of names) {
        await sfn.call('StartExecution', { stateMachineArn: machine, name });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await sfn.call('StopExecution', { executionArn: executionArn('hang', 'e2') });

      const { items, pages } = await allPages(sfn, 'ListExecutions', { stateMachineArn: machine, maxResults: 2 }, 'executions');
      expect(items.map((e) => e.name)).to.deep.equal([...names].reverse());
      expect(pages).to.equal(3);
      expect(items[0]).to.include({ stateMachineArn: machine, status: 'RUNNING', redriveCount: 0 });
      expect(items[0].startDate).to.be.a('number');

      const aborted = await sfn.call('ListExecutions', { stateMachineArn: machine, statusFilter: 'ABORTED' });
      expect(aborted.executions.map((e: { name: string }) => e.name)).to.deep.equal(['e2']);
      expect(aborted.executions[0].stopDate).to.be.a('number');
    });

    it('keeps pages exact while new executions start between them', async () => {
      const machine = await sfn.create('hang', HANG);
      for (const name of ['a', 'b', 'c']) {
        await sfn.call('StartExecution', { stateMachineArn: machine, name });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const first = await sfn.call('ListExecutions', { stateMachineArn: machine, maxResults: 2 });
      await sfn.call('StartExecution', { stateMachineArn: machine, name: 'newer' });
      const second = await sfn.call('ListExecutions', { stateMachineArn: machine, maxResults: 2, nextToken: first.nextToken });
      expect([...first.executions, ...second.executions].map((e) => e.name)).to.deep.equal(['c', 'b', 'a']);
    });

    it('refuses a token that is malformed, altered, or from another request: InvalidToken', async () => {
      const machine = await sfn.create('hang', HANG);
      for (const name of ['a', 'b', 'c']) await sfn.call('StartExecution', { stateMachineArn: machine, name });
      const { nextToken } = await sfn.call('ListExecutions', { stateMachineArn: machine, maxResults: 1 });
      expect(nextToken).to.be.a('string');
      const garbage = await apiError(sfn.call('ListExecutions', { stateMachineArn: machine, nextToken: 'not-a-token' }));
      expect(garbage.type).to.equal('InvalidToken');
      const altered = nextToken.slice(0, -2) + (nextToken.endsWith('AA') ? 'AB' : 'AA');
      expect((await apiError(sfn.call('ListExecutions', { stateMachineArn: machine, nextToken: altered }))).type).to.equal('InvalidToken');
      const otherFilter = await apiError(sfn.call('ListExecutions', { stateMachineArn: machine, statusFilter: 'RUNNING', nextToken }));
      expect(otherFilter.type).to.equal('InvalidToken');
      const otherAction = await apiError(sfn.call('ListStateMachines', { nextToken }));
      expect(otherAction.type).to.equal('InvalidToken');
    });

    it('checks maxResults (0-1000) and the list it is asked for', async () => {
      const machine = await sfn.create('pass', PASS);
      for (const maxResults of [1001, -1, 2.5]) {
        const error = await apiError(sfn.call('ListExecutions', { stateMachineArn: machine, maxResults }));
        expect(error.type, String(maxResults)).to.equal('ValidationException');
        expect(error.message).to.contain("'maxResults'");
      }
      expect((await apiError(sfn.call('ListExecutions', {}))).type).to.equal('ValidationException');
      expect((await apiError(sfn.call('ListExecutions', { stateMachineArn: machineArn('ghost') }))).type).to.equal('StateMachineDoesNotExist');
      expect((await apiError(sfn.call('ListExecutions', { stateMachineArn: machine, statusFilter: 'DONE' }))).type).to.equal('ValidationException');
      const mapRun = 'arn:aws:states:us-east-1:000000000000:mapRun:pass/Map:0b5c6e4a-1111-2222-3333-444455556666';
      expect((await apiError(sfn.call('ListExecutions', { mapRunArn: mapRun }))).type).to.equal('ResourceNotFound');
    });
  });

  describe('GetExecutionHistory', () => {
    it('returns the events oldest first, or newest first with reverseOrder, in pages', async () => {
      const machine = await sfn.create('pass', PASS);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine, input: '{"k":"v"}' });
      await closed(sfn, arn);
      const all = await sfn.call('GetExecutionHistory', { executionArn: arn });
      expect(all.events.map((e: { type: string }) => e.type)).to.deep.equal(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
      expect(all.events.map((e: { id: number }) => e.id)).to.deep.equal([1, 2, 3, 4]);
      expect(all.events[0]).to.include({ previousEventId: 0 });
      expect(all.events[0].timestamp).to.be.a('number');
      expect(all.events[0].executionStartedEventDetails.input).to.equal('{"k":"v"}');
      expect(all).not.to.have.property('nextToken');

      const forward = await allPages(sfn, 'GetExecutionHistory', { executionArn: arn, maxResults: 3 }, 'events');
      expect(forward.items.map((e) => e.id)).to.deep.equal([1, 2, 3, 4]);
      expect(forward.pages).to.equal(2);
      const backward = await allPages(sfn, 'GetExecutionHistory', { executionArn: arn, maxResults: 3, reverseOrder: true }, 'events');
      expect(backward.items.map((e) => e.id)).to.deep.equal([4, 3, 2, 1]);
    });

    it('leaves the data out with includeExecutionData false, and keeps the rest of each event', async () => {
      const machine = await sfn.create('pass', PASS);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine, input: '{"k":"v"}' });
      await closed(sfn, arn);
      const { events } = await sfn.call('GetExecutionHistory', { executionArn: arn, includeExecutionData: false });
      const started = events[0].executionStartedEventDetails;
      expect(started).not.to.have.property('input');
      expect(started.roleArn).to.be.a('string');
      expect(events[1].stateEnteredEventDetails).to.deep.include({ name: 'P' }).and.not.have.property('input');
      expect(events[2].stateExitedEventDetails).not.to.have.property('output');
      expect(events[3].executionSucceededEventDetails).not.to.have.property('output');
    });

    it('answers ExecutionDoesNotExist for an unknown execution', async () => {
      expect((await apiError(sfn.call('GetExecutionHistory', { executionArn: executionArn('pass', 'never') }))).type).to.equal(
        'ExecutionDoesNotExist',
      );
    });
  });

  describe('StopExecution', () => {
    it('aborts a running execution with the error and cause given, and returns the stop date', async () => {
      const machine = await sfn.create('hang', HANG);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine });
      const stopped = await sfn.call('StopExecution', { executionArn: arn, error: 'Operator', cause: 'stopped by hand' });
      expect(stopped.stopDate).to.be.a('number').closeTo(Date.now() / 1000, 5);
      const described = await sfn.call('DescribeExecution', { executionArn: arn });
      expect(described).to.deep.include({ status: 'ABORTED', error: 'Operator', cause: 'stopped by hand', stopDate: stopped.stopDate });
    });

    it('checks the error length (256) and answers ExecutionDoesNotExist for an unknown execution', async () => {
      const machine = await sfn.create('hang', HANG);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine });
      const long = await apiError(sfn.call('StopExecution', { executionArn: arn, error: 'e'.repeat(257) }));
      expect(long.type).to.equal('ValidationException');
      expect(long.message).to.contain("'error'");
      expect((await apiError(sfn.call('StopExecution', { executionArn: executionArn('hang', 'never') }))).type).to.equal('ExecutionDoesNotExist');
    });
  });

  describe('RedriveExecution', () => {
    it('maps the engine refusing a succeeded execution to ExecutionNotRedrivable', async () => {
      const machine = await sfn.create('pass', PASS);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine });
      await closed(sfn, arn);
      const error = await apiError(sfn.call('RedriveExecution', { executionArn: arn }));
      expect(error.type).to.equal('ExecutionNotRedrivable');
    });

    it('redrives once for a retried request with the same clientToken', async () => {
      const machine = await sfn.create('fails', FAIL);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine });
      await closed(sfn, arn);
      const first = await sfn.call('RedriveExecution', { executionArn: arn, clientToken: 'retry-1' });
      expect(first.redriveDate).to.be.a('number');
      await closed(sfn, arn);
      const retried = await sfn.call('RedriveExecution', { executionArn: arn, clientToken: 'retry-1' });
      expect(retried).to.deep.equal(first);
      expect((await sfn.call('DescribeExecution', { executionArn: arn })).redriveCount).to.equal(1);
    });
  });

  describe('DescribeStateMachineForExecution', () => {
    it('returns the definition the execution runs, not one set by a later update', async () => {
      const machine = await sfn.create('hang', HANG);
      const { executionArn: arn } = await sfn.call('StartExecution', { stateMachineArn: machine });
      const update = await sfn.call('UpdateStateMachine', { stateMachineArn: machine, definition: PASS });
      const described = await sfn.call('DescribeStateMachineForExecution', { executionArn: arn });
      expect(JSON.parse(described.definition)).to.deep.equal(JSON.parse(HANG));
      expect(described).to.deep.include({ stateMachineArn: machine, name: 'hang', roleArn: 'arn:aws:iam::000000000000:role/test-role' });
      expect(described.updateDate).to.equal(update.updateDate);
      expect((await sfn.call('DescribeStateMachine', { stateMachineArn: machine })).definition).to.equal(PASS);
    });
  });

  it('answers UnknownOperationException for an action it does not know', async () => {
    const error = await apiError(sfn.api('StartSyncExecution', {}));
    expect(error.type).to.equal('UnknownOperationException');
    expect((await apiError(sfn.api('toString', {}))).type).to.equal('UnknownOperationException');
  });
});
