// The pipelines' dead letter: every execution of the stack's state machines that ends FAILED, TIMED_OUT or
// ABORTED is sent to the alarm topic as one message naming the execution and its error. The
// ExecutionsFailed alarms say "something failed in these 5 minutes"; this says which job and why.
import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { resourceName, type StackConfig } from './config';
import { alarmTopicPolicy } from './iam-policies';
import type { DeployedStateMachine } from './state-machines';

export const FAILED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/**
 * Matches the machines' own executions only: a Distributed Map's child executions carry another
 * stateMachineArn (`…:stateMachine:<name>/<map run>`), so one failed job is one message, not one per item.
 */
export function failedExecutionPattern(stateMachineArns: readonly string[]) {
  return {
    source: ['aws.states'],
    'detail-type': ['Step Functions Execution Status Change'],
    detail: { status: [...FAILED_STATUSES], stateMachineArn: [...stateMachineArns] },
  };
}

/**
 * What the topic receives. Values are placed unquoted, so EventBridge writes each as the JSON value it is
 * (a `cause` full of quotes stays valid JSON; a missing `error` of an aborted execution is null). Only
 * `name` and `status`, which cannot hold a quote, sit inside a string.
 */
export const FAILURE_MESSAGE = {
  inputPaths: {
    name: '$.detail.name',
    status: '$.detail.status',
    executionArn: '$.detail.executionArn',
    stateMachineArn: '$.detail.stateMachineArn',
    error: '$.detail.error',
    cause: '$.detail.cause',
    stopDate: '$.detail.stopDate',
  },
  inputTemplate:
    '{"summary":"Execution <name> ended <status>","executionArn":<executionArn>,"stateMachineArn":<stateMachineArn>,' +
    '"status":<status>,"error":<error>,"cause":<cause>,"stopDate":<stopDate>}',
};

export interface FailureEventsInput {
  config: StackConfig;
  stateMachines: readonly DeployedStateMachine[];
  topic: SnsTopic;
  /** `arn:<partition>:<service>:<region>:<account>:` builder. */
  arnPrefix: (service: string) => string;
}

export function defineFailureEvents(scope: Construct, { config, stateMachines, topic, arnPrefix }: FailureEventsInput): CloudwatchEventRule {
  const rule = new CloudwatchEventRule(scope, 'failed-executions', {
    name: resourceName(config, 'failed-executions'),
    description: `Executions of the ${config.stackName} pipelines that end ${FAILED_STATUSES.join(', ')}, to the alarm topic`,
    eventPattern: JSON.stringify(failedExecutionPattern(stateMachines.map((m) => m.stateMachine.arn))),
  });
  const policy = new SnsTopicPolicy(scope, 'alarm-topic-policy', {
    arn: topic.arn,
    policy: JSON.stringify(
      alarmTopicPolicy({
        topicArn: topic.arn,
        eventRuleArn: rule.arn,
        // Every alarm of the stack is named <prefix>-<stack>-… (monitoring.ts).
        alarmArnPattern: `${arnPrefix('cloudwatch')}alarm:${resourceName(config, '*')}`,
      }),
    ),
  });
  new CloudwatchEventTarget(scope, 'failed-executions-to-topic', {
    rule: rule.name,
    targetId: 'alarm-topic',
    arn: topic.arn,
    inputTransformer: FAILURE_MESSAGE,
    // A message sent before the policy allows it would be dropped.
    dependsOn: [policy],
  });
  return rule;
}
