import { expect } from 'chai';
import { apiError, closed, machineArn, PASS, ROLE, runsChild, sfnFixture, type SfnFixture } from './sfn-harness';

const WAIT = JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, End: true } } });

describe('Step Functions API: state machines', () => {
  let sfn: SfnFixture;
  beforeEach(() => (sfn = sfnFixture()));
  afterEach(() => sfn.close());

  describe('CreateStateMachine', () => {
    it('returns the ARN and the creation date in epoch seconds, and DescribeStateMachine returns what was given', async () => {
      const before = Date.now() / 1000;
      const created = await sfn.call('CreateStateMachine', { name: 'orders', definition: PASS, roleArn: ROLE });
      expect(created.stateMachineArn).to.equal('arn:aws:states:us-east-1:000000000000:stateMachine:orders');
      expect(created.creationDate).to.be.a('number').within(before, Date.now() / 1000);

      const described = await sfn.call('DescribeStateMachine', { stateMachineArn: created.stateMachineArn });
      expect(described).to.deep.include({
        stateMachineArn: created.stateMachineArn,
        name: 'orders',
        status: 'ACTIVE',
        definition: PASS,
        roleArn: ROLE,
        type: 'STANDARD',
        creationDate: created.creationDate,
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      });
      expect(described.revisionId).to.match(/^[0-9a-f-]{36}$/);
    });

    it('keeps the definition text as given, formatting included', async () => {
      const formatted = JSON.stringify(JSON.parse(PASS), null, 4);
      const arn = await sfn.create('formatted', formatted);
      expect((await sfn.call('DescribeStateMachine', { stateMachineArn: arn })).definition).to.equal(formatted);
    });

    it('is idempotent: the same name and definition return the existing machine, a different role is not applied', async () => {
      const first = await sfn.call('CreateStateMachine', { name: 'same', definition: PASS, roleArn: ROLE });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const again = await sfn.call('CreateStateMachine', {
        name: 'same',
        definition: JSON.stringify(JSON.parse(PASS), null, 2),
        roleArn: 'arn:aws:iam::000000000000:role/other',
      });
      expect(again).to.deep.equal(first);
      expect((await sfn.call('DescribeStateMachine', { stateMachineArn: first.stateMachineArn })).roleArn).to.equal(ROLE);
    });

    it('refuses the same name with another definition or configuration: StateMachineAlreadyExists', async () => {
      await sfn.create('taken', PASS);
      const other = await apiError(sfn.call('CreateStateMachine', { name: 'taken', definition: WAIT, roleArn: ROLE }));
      expect(other.type).to.equal('StateMachineAlreadyExists');
      expect(other.message).to.contain(machineArn('taken'));
      const traced = await apiError(
        sfn.call('CreateStateMachine', { name: 'taken', definition: PASS, roleArn: ROLE, tracingConfiguration: { enabled: true } }),
      );
      expect(traced.type).to.equal('StateMachineAlreadyExists');
    });

    it("refuses a definition the loader refuses: InvalidDefinition with the loader's message", async () => {
      const broken = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
      const error = await apiError(sfn.call('CreateStateMachine', { name: 'broken', definition: broken, roleArn: ROLE }));
      expect(error.type).to.equal('InvalidDefinition');
      expect(error.message).to.contain('Nowhere');
      const notJson = await apiError(sfn.call('CreateStateMachine', { name: 'broken', definition: '{"StartAt":', roleArn: ROLE }));
      expect(notJson.type).to.equal('InvalidDefinition');
      expect(notJson.message).to.contain('not valid JSON');
      expect(sfn.registry.find(machineArn('broken'))).to.equal(undefined);
    });

    it('requires an IAM role ARN: ValidationException naming roleArn when missing, InvalidArn when not a role', async () => {
      const missing = await apiError(sfn.call('CreateStateMachine', { name: 'r', definition: PASS }));
      expect(missing.type).to.equal('ValidationException');
      expect(missing.message).to.contain("'roleArn'");
      const notRole = await apiError(
        sfn.call('CreateStateMachine', { name: 'r', definition: PASS, roleArn: 'arn:aws:lambda:us-east-1:000000000000:function:F' }),
      );
      expect(notRole.type).to.equal('InvalidArn');
      expect(notRole.message).to.contain('roleArn');
    });

    it('refuses EXPRESS with a ValidationException saying it is not supported locally, and any other type by its field', async () => {
      const express = await apiError(sfn.call('CreateStateMachine', { name: 'e', definition: PASS, roleArn: ROLE, type: 'EXPRESS' }));
      expect(express.type).to.equal('ValidationException');
      expect(express.message).to.contain('EXPRESS').and.contain('not supported locally');
      const other = await apiError(sfn.call('CreateStateMachine', { name: 'e', definition: PASS, roleArn: ROLE, type: 'FAST' }));
      expect(other.type).to.equal('ValidationException');
      expect(other.message).to.contain("'type'");
    });

    it('refuses names AWS refuses: InvalidName', async () => {
      for (const name of ['has space', 'a:b', 'x'.repeat(81), '', 'brace{']) {
        const error = await apiError(sfn.call('CreateStateMachine', { name, definition: PASS, roleArn: ROLE }));
        expect(error.type, name).to.equal('InvalidName');
      }
    });

    it('names a field of the wrong type', async () => {
      const error = await apiError(sfn.call('CreateStateMachine', { name: 'x', definition: { StartAt: 'P' }, roleArn: ROLE }));
      expect(error.type).to.equal('ValidationException');
      expect(error.message).to.contain("'definition'");
      const level = await apiError(
        sfn.call('CreateStateMachine', { name: 'x', definition: PASS, roleArn: ROLE, loggingConfiguration: { level: 'LOUD' } }),
      );
      expect(level.message).to.contain("'loggingConfiguration.level'");
    });

    it('registers the machine with the engine, so a states:startExecution task finds it', async () => {
      await sfn.create('child', JSON.stringify({ StartAt: 'C', States: { C: { Type: 'Pass', Result: 'from child', End: true } } }));
      const parent = await sfn.create('parent', runsChild('child'));
      const { executionArn } = await sfn.call('StartExecution', { stateMachineArn: parent });
      const described = await closed(sfn, executionArn);
      expect(described.status, described.cause).to.equal('SUCCEEDED');
      expect(JSON.parse(described.output)).to.equal('from child');
    });
  });

  describe('UpdateStateMachine', () => {
    it('replaces the definition, sets updateDate and a new revisionId', async () => {
      const arn = await sfn.create('u', PASS);
      const { revisionId: before } = await sfn.call('DescribeStateMachine', { stateMachineArn: arn });
      const updated = await sfn.call('UpdateStateMachine', { stateMachineArn: arn, definition: WAIT });
      expect(updated.updateDate).to.be.a('number').closeTo(Date.now() / 1000, 5);
      expect(updated.revisionId).to.be.a('string').and.not.equal(before);
      const described = await sfn.call('DescribeStateMachine', { stateMachineArn: arn });
      expect(described.definition).to.equal(WAIT);
      expect(described.revisionId).to.equal(updated.revisionId);
    });

    it('needs something to update: MissingRequiredParameter', async () => {
      const arn = await sfn.create('u', PASS);
      expect((await apiError(sfn.call('UpdateStateMachine', { stateMachineArn: arn }))).type).to.equal('MissingRequiredParameter');
    });

    it('refuses an invalid definition and leaves the machine as it was', async () => {
      const arn = await sfn.create('u', PASS);
      const error = await apiError(sfn.call('UpdateStateMachine', { stateMachineArn: arn, definition: '{"StartAt":"X","States":{}}' }));
      expect(error.type).to.equal('InvalidDefinition');
      expect((await sfn.call('DescribeStateMachine', { stateMachineArn: arn })).definition).to.equal(PASS);
    });

    it('answers StateMachineDoesNotExist for an unknown machine and InvalidArn for a malformed ARN', async () => {
      expect((await apiError(sfn.call('UpdateStateMachine', { stateMachineArn: machineArn('nope'), definition: PASS }))).type).to.equal(
        'StateMachineDoesNotExist',
      );
      expect((await apiError(sfn.call('UpdateStateMachine', { stateMachineArn: 'nope', definition: PASS }))).type).to.equal('InvalidArn');
    });

    it('refuses to change a built-in machine', async () => {
      const arn = sfn.registry.registerBuiltIn('video', JSON.parse(PASS));
      const error = await apiError(sfn.call('UpdateStateMachine', { stateMachineArn: arn, definition: WAIT }));
      expect(error.type).to.equal('ValidationException');
      expect(error.message).to.contain('built into longhaul serve');
    });
  });

  describe('DeleteStateMachine', () => {
    it('removes the machine; deleting an unknown one succeeds, as in AWS', async () => {
      const arn = await sfn.create('d', PASS);
      expect(await sfn.call('DeleteStateMachine', { stateMachineArn: arn })).to.deep.equal({});
      expect((await apiError(sfn.call('DescribeStateMachine', { stateMachineArn: arn }))).type).to.equal('StateMachineDoesNotExist');
      expect(await sfn.call('DeleteStateMachine', { stateMachineArn: arn })).to.deep.equal({});
      expect((await apiError(sfn.call('StartExecution', { stateMachineArn: arn }))).type).to.equal('StateMachineDoesNotExist');
    });

    it('refuses to delete a built-in machine', async () => {
      const arn = sfn.registry.registerBuiltIn('etl', JSON.parse(PASS));
      expect((await apiError(sfn.call('DeleteStateMachine', { stateMachineArn: arn }))).type).to.equal('ValidationException');
      expect(sfn.registry.find(arn)?.name).to.equal('etl');
    });
  });

  describe('DescribeStateMachine', () => {
    it('describes a built-in machine with the role infra gives it', async () => {
      const arn = sfn.registry.registerBuiltIn('video', JSON.parse(PASS));
      const described = await sfn.call('DescribeStateMachine', { stateMachineArn: arn });
      expect(described).to.deep.include({ name: 'video', roleArn: 'arn:aws:iam::000000000000:role/video-sfn', type: 'STANDARD', status: 'ACTIVE' });
      expect(JSON.parse(described.definition)).to.deep.equal(JSON.parse(PASS));
    });

    it('refuses an execution ARN where a state machine ARN belongs: InvalidArn', async () => {
      const error = await apiError(
        sfn.call('DescribeStateMachine', { stateMachineArn: 'arn:aws:states:us-east-1:000000000000:execution:m:e' }),
      );
      expect(error.type).to.equal('InvalidArn');
    });
  });

  describe('ListStateMachines', () => {
    it('lists every machine, oldest first, in pages of maxResults', async () => {
      const names = ['m1', 'm2', 'm3', 'm4', 'm5'];
      for (const name of names) await sfn.create(name, PASS);
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await sfn.call('ListStateMachines', { maxResults: 2, ...(nextToken ? { nextToken } : {}) });
        expect(page.stateMachines.length).to.be.at.most(2);
        for (const item of page.stateMachines) {
          expect(item).to.have.keys('stateMachineArn', 'name', 'type', 'creationDate');
          seen.push(item.name);
        }
        nextToken = page.nextToken;
        pages++;
      } while (nextToken);
      expect(seen).to.deep.equal(names);
      expect(pages).to.equal(3);
    });

    it('returns everything without nextToken when it fits (0 means the default of 100)', async () => {
      await sfn.create('only', PASS);
      const page = await sfn.call('ListStateMachines', { maxResults: 0 });
      expect(page.stateMachines.map((m: { name: string }) => m.name)).to.deep.equal(['only']);
      expect(page).not.to.have.property('nextToken');
    });
  });

  describe('ValidateStateMachineDefinition', () => {
    it('answers OK with no diagnostics for a valid definition', async () => {
      expect(await sfn.call('ValidateStateMachineDefinition', { definition: PASS })).to.deep.equal({
        result: 'OK',
        diagnostics: [],
        truncated: false,
      });
    });

    it('answers FAIL with one ERROR diagnostic per problem', async () => {
      const broken = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
      const answer = await sfn.call('ValidateStateMachineDefinition', { definition: broken });
      expect(answer.result).to.equal('FAIL');
      expect(answer.truncated).to.equal(false);
      expect(answer.diagnostics).to.have.length.greaterThan(0);
      for (const d of answer.diagnostics) {
        expect(d.severity).to.equal('ERROR');
        expect(d.code).to.equal('SCHEMA_VALIDATION_FAILED');
      }
      expect(answer.diagnostics.map((d: { message: string }) => d.message).join('\n')).to.contain('Nowhere');
    });

    it('locates a problem the loader pins on a state', async () => {
      const definition = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true }, B: { Type: 'Pass', Bogus: 2, End: true } } });
      const answer = await sfn.call('ValidateStateMachineDefinition', { definition });
      expect(answer.result).to.equal('FAIL');
      expect(answer.diagnostics.map((d: { location?: string }) => d.location)).to.include('/States/B');
    });

    it('reports text that is not JSON as INVALID_JSON_DESCRIPTION', async () => {
      const answer = await sfn.call('ValidateStateMachineDefinition', { definition: '{' });
      expect(answer.result).to.equal('FAIL');
      expect(answer.diagnostics[0]).to.include({ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION' });
    });

    it('truncates to maxResults and says so', async () => {
      const states = Object.fromEntries(['A', 'B', 'C'].map((s) => [s, { Type: 'Pass', Next: `Missing${s}` }]));
      const answer = await sfn.call('ValidateStateMachineDefinition', { definition: JSON.stringify({ StartAt: 'A', States: states }), maxResults: 1 });
      expect(answer.result).to.equal('FAIL');
      expect(answer.diagnostics).to.have.length(1);
      expect(answer.truncated).to.equal(true);
    });

    it('requires the definition: ValidationException naming it', async () => {
      const error = await apiError(sfn.call('ValidateStateMachineDefinition', {}));
      expect(error.type).to.equal('ValidationException');
      expect(error.message).to.contain("'definition'");
    });
  });
});
