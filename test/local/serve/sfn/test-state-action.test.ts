// TestState through the API: the engine's answer comes back as it gave it, and its refusals as API errors.
import { expect } from 'chai';
import { apiError, ROLE, sfnFixture, type SfnFixture } from './sfn-harness';

const PASS_STATE = JSON.stringify({ Type: 'Pass', Parameters: { 'greeting.$': '$.name' }, ResultPath: '$.out', Next: 'After' });

describe('Step Functions API: TestState', () => {
  let sfn: SfnFixture;
  beforeEach(() => (sfn = sfnFixture()));
  afterEach(() => sfn.close());

  it("returns the engine's answer: status, output, next state and, with DEBUG, the data after each step", async () => {
    const answer = await sfn.call('TestState', { definition: PASS_STATE, roleArn: ROLE, input: '{"name":"Ada"}', inspectionLevel: 'DEBUG' });
    expect(answer.status).to.equal('SUCCEEDED');
    expect(answer.nextState).to.equal('After');
    expect(JSON.parse(answer.output)).to.deep.equal({ name: 'Ada', out: { greeting: 'Ada' } });
    expect(JSON.parse(answer.inspectionData.afterParameters)).to.deep.equal({ greeting: 'Ada' });
  });

  it('answers the API error the engine names for a bad request', async () => {
    const missing = await apiError(sfn.call('TestState', { input: '{}' }));
    expect(missing.type).to.equal('ValidationException');
    expect(missing.message).to.contain("'definition'");
    expect((await apiError(sfn.call('TestState', { definition: PASS_STATE, input: '{"a":' }))).type).to.equal('InvalidExecutionInput');
    expect((await apiError(sfn.call('TestState', { definition: PASS_STATE, roleArn: 'not-an-arn' }))).type).to.equal('InvalidArn');
    const level = await apiError(sfn.call('TestState', { definition: PASS_STATE, inspectionLevel: 'LOUD' }));
    expect(level.type).to.equal('ValidationException');
    expect(level.message).to.contain('inspectionLevel');
    const invalid = await apiError(sfn.call('TestState', { definition: JSON.stringify({ Type: 'Pass', Next: 7 }) }));
    expect(invalid.type).to.equal('InvalidDefinition');
  });
});
