// Failed executions to the alarm topic: the rule, its target's message and the topic policy as synthesized,
// and what EventBridge would do with them, played on events shaped as Step Functions documents them.
import { expect } from 'chai';
import { resourcesOf, useFixtureStack, type TerraformJson } from './synth-helpers';
import { ACCOUNT, PARTITION } from './stack-invariants';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** EventBridge's exact-value matching: every pattern field must be present, with one of the listed values. */
function matches(pattern: { [key: string]: Json }, event: { [key: string]: Json }): boolean {
  return Object.entries(pattern).every(([key, want]) => {
    const got = event[key];
    if (Array.isArray(want)) return want.some((v) => v === got);
    return typeof got === 'object' && got !== null && !Array.isArray(got) && matches(want as { [key: string]: Json }, got);
  });
}

/**
 * EventBridge's input transformer: a placeholder inside a JSON string gets the value's text, one outside
 * gets the value as JSON (strings quoted and escaped, null as null).
 */
function transform(transformer: { input_paths: Record<string, string>; input_template: string }, event: { [key: string]: Json }): string {
  const valueAt = (path: string): Json => path.replace(/^\$\./, '').split('.').reduce<Json>((node, key) => (node as { [key: string]: Json })?.[key] ?? null, event);
  return transformer.input_template.replace(/<([A-Za-z0-9_-]+)>/g, (_whole, name: string, offset: number, template: string) => {
    const value = valueAt(transformer.input_paths[name]!);
    const quotesBefore = (template.slice(0, offset).match(/(?<!\\)"/g) ?? []).length;
    return quotesBefore % 2 === 1 ? String(value) : JSON.stringify(value);
  });
}

const MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:longhaul-dev-pipeline';
const statusChange = (detail: { [key: string]: Json }) => ({
  version: '0',
  id: '315c1398-40ff-a850-213b-158f73e60175',
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: '111122223333',
  time: '2026-03-01T12:00:10Z',
  region: 'us-east-1',
  resources: [`arn:aws:states:us-east-1:111122223333:execution:longhaul-dev-pipeline:${String(detail.name)}`],
  detail: {
    executionArn: `arn:aws:states:us-east-1:111122223333:execution:longhaul-dev-pipeline:${String(detail.name)}`,
    stateMachineArn: MACHINE,
    startDate: 1772366400000,
    stopDate: 1772366410000,
    input: '{}',
    output: null,
    error: null,
    cause: null,
    ...detail,
  },
});

describe('infra/failure-events', () => {
  const synthesized = useFixtureStack();
  let tf: TerraformJson;
  before(() => {
    tf = synthesized().tf;
  });

  const rule = () => resourcesOf(tf, 'aws_cloudwatch_event_rule')['failed-executions']!;
  const target = () => resourcesOf(tf, 'aws_cloudwatch_event_target')['failed-executions-to-topic']!;
  const transformer = () => target().input_transformer as { input_paths: Record<string, string>; input_template: string };

  it('routes executions of every machine of the stack that end FAILED, TIMED_OUT or ABORTED to the alarm topic', () => {
    expect(rule().name).to.equal('longhaul-dev-failed-executions');
    expect(JSON.parse(rule().event_pattern as string)).to.deep.equal({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: ['${aws_sfn_state_machine.sm-pipeline.arn}', '${aws_sfn_state_machine.sm-report.arn}'],
      },
    });
    expect(target()).to.deep.include({
      rule: '${aws_cloudwatch_event_rule.failed-executions.name}',
      arn: '${aws_sns_topic.alarm-topic.arn}',
      depends_on: ['aws_sns_topic_policy.alarm-topic-policy'],
    });
  });

  it('lets only that rule, and the stack’s own alarms, publish to the topic', () => {
    const policy = resourcesOf(tf, 'aws_sns_topic_policy')['alarm-topic-policy']!;
    expect(policy.arn).to.equal('${aws_sns_topic.alarm-topic.arn}');
    const statements = JSON.parse(policy.policy as string).Statement as { Sid: string; Principal: unknown; Action: string[]; Resource: string[]; Condition: unknown }[];
    expect(statements.map((s) => [s.Sid, s.Principal, s.Action, s.Resource, s.Condition])).to.deep.equal([
      ['FailedExecutionEvents', { Service: 'events.amazonaws.com' }, ['sns:Publish'], ['${aws_sns_topic.alarm-topic.arn}'], { ArnEquals: { 'aws:SourceArn': '${aws_cloudwatch_event_rule.failed-executions.arn}' } }],
      ['StackAlarms', { Service: 'cloudwatch.amazonaws.com' }, ['sns:Publish'], ['${aws_sns_topic.alarm-topic.arn}'], { ArnLike: { 'aws:SourceArn': `arn:${PARTITION}:cloudwatch:us-east-1:${ACCOUNT}:alarm:longhaul-dev-*` } }],
    ]);
    // The policy replaces SNS's default one: an alarm outside the pattern could no longer publish.
    const alarmNames = Object.values(resourcesOf(tf, 'aws_cloudwatch_metric_alarm')).map((a) => a.alarm_name as string);
    expect(alarmNames.length).to.be.greaterThan(0);
    for (const name of alarmNames) expect(name, 'alarm name within the topic policy').to.match(/^longhaul-dev-/);
  });

  it('matches a failed, timed-out or aborted execution of a machine, not a success nor a Map Run’s child', () => {
    const pattern = JSON.parse((rule().event_pattern as string).replace('${aws_sfn_state_machine.sm-pipeline.arn}', MACHINE));
    expect(matches(pattern, statusChange({ name: 'job-1', status: 'FAILED' }))).to.equal(true);
    expect(matches(pattern, statusChange({ name: 'job-2', status: 'TIMED_OUT' }))).to.equal(true);
    expect(matches(pattern, statusChange({ name: 'job-3', status: 'ABORTED' }))).to.equal(true);
    expect(matches(pattern, statusChange({ name: 'job-4', status: 'SUCCEEDED' }))).to.equal(false);
    const child = statusChange({ name: 'item-7', status: 'FAILED', stateMachineArn: `${MACHINE}/Chunks:0f3c` });
    expect(matches(pattern, child)).to.equal(false);
  });

  it('sends one JSON message with the execution ARN, its error and its cause, quotes and all', () => {
    const cause = '{"errorType":"InvalidInput","errorMessage":"Input jobs/job-1/input/a.mp4 is \\"empty\\"\\n(0 bytes)"}';
    const failed = statusChange({ name: 'job-1', status: 'FAILED', error: 'InvalidInput', cause });
    expect(JSON.parse(transform(transformer(), failed))).to.deep.equal({
      summary: 'Execution job-1 ended FAILED',
      executionArn: 'arn:aws:states:us-east-1:111122223333:execution:longhaul-dev-pipeline:job-1',
      stateMachineArn: MACHINE,
      status: 'FAILED',
      error: 'InvalidInput',
      cause,
      stopDate: 1772366410000,
    });
    const aborted = JSON.parse(transform(transformer(), statusChange({ name: 'job-3', status: 'ABORTED' })));
    expect(aborted).to.deep.include({ summary: 'Execution job-3 ended ABORTED', error: null, cause: null });
  });
});
