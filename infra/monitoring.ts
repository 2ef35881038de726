// What an operator watches: a dashboard of executions and task durations, and alarms to one SNS topic.
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { kebabName } from '../handlers/catalog-types';
import { resourceName, type StackConfig } from './config';
import type { DeployedFunction } from './functions';
import type { DeployedStateMachine } from './state-machines';

/** A task whose p99 passes this share of its timeout is about to hit the wall. */
export const DURATION_WARNING_RATIO = 0.8;
const PERIOD_SECONDS = 300;

export interface Monitoring {
  topic: SnsTopic;
  dashboard: CloudwatchDashboard;
  dashboardUrl: string;
}

export interface MonitoringInput {
  config: StackConfig;
  functions: readonly DeployedFunction[];
  stateMachines: readonly DeployedStateMachine[];
}

export function defineMonitoring(scope: Construct, { config, functions, stateMachines }: MonitoringInput): Monitoring {
  // Not KMS-encrypted: CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key.
  const topic = new SnsTopic(scope, 'alarm-topic', { name: resourceName(config, 'alarms') });
  if (config.alarmEmail) {
    new SnsTopicSubscription(scope, 'alarm-email', { topicArn: topic.arn, protocol: 'email', endpoint: config.alarmEmail });
  }
  const alarm = (id: string, props: Omit<ConstructorParameters<typeof CloudwatchMetricAlarm>[2], 'alarmActions' | 'okActions' | 'treatMissingData' | 'evaluationPeriods' | 'period'>) =>
    new CloudwatchMetricAlarm(scope, id, {
      ...props,
      evaluationPeriods: 1,
      period: props.extendedStatistic ? PERIOD_SECONDS : 60,
      // No traffic is not a failure.
      treatMissingData: 'notBreaching',
      alarmActions: [topic.arn],
      okActions: [topic.arn],
    });

  for (const { machine, stateMachine, stateMachineName } of stateMachines) {
    const dimensions = { StateMachineArn: stateMachine.arn };
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled'] as const) {
      alarm(`alarm-${machine}-${metric}`, {
        alarmName: `${stateMachineName}-${metric}`,
        alarmDescription: `${stateMachineName}: ${metric} >= 1`,
        namespace: 'AWS/States',
        metricName: metric,
        dimensions,
        statistic: 'Sum',
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
      });
    }
  }
  for (const { spec, functionName } of functions) {
    const dimensions = { FunctionName: functionName };
    alarm(`alarm-${kebabName(spec.name)}-throttles`, {
      alarmName: `${functionName}-throttles`,
      alarmDescription: `${functionName}: throttled invocations`,
      namespace: 'AWS/Lambda',
      metricName: 'Throttles',
      dimensions,
      statistic: 'Sum',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    });
    alarm(`alarm-${kebabName(spec.name)}-p99-duration`, {
      alarmName: `${functionName}-p99-near-timeout`,
      alarmDescription: `${functionName}: p99 duration above ${DURATION_WARNING_RATIO * 100}% of its ${spec.timeoutSeconds} s timeout`,
      namespace: 'AWS/Lambda',
      metricName: 'Duration',
      dimensions,
      extendedStatistic: 'p99',
      comparisonOperator: 'GreaterThanThreshold',
      threshold: durationWarningMs(spec.timeoutSeconds),
    });
  }

  const dashboardName = resourceName(config, 'operations');
  const dashboard = new CloudwatchDashboard(scope, 'dashboard', {
    dashboardName,
    dashboardBody: JSON.stringify(dashboardBody(config.region, functions, stateMachines)),
  });
  const dashboardUrl = `https://${config.region}.console.aws.amazon.com/cloudwatch/home?region=${config.region}#dashboards:name=${dashboardName}`;
  return { topic, dashboard, dashboardUrl };
}

export function durationWarningMs(timeoutSeconds: number): number {
  return Math.round(timeoutSeconds * 1000 * DURATION_WARNING_RATIO);
}

type Metric = (string | Record<string, string>)[];
interface Widget {
  type: 'metric';
  width: number;
  height: number;
  properties: { title: string; region: string; metrics: Metric[]; stat: string; period: number; view: 'timeSeries' };
}

function widget(title: string, region: string, stat: string, metrics: Metric[]): Widget {
  return { type: 'metric', width: 12, height: 6, properties: { title, region, metrics, stat, period: PERIOD_SECONDS, view: 'timeSeries' } };
}

export function dashboardBody(region: string, functions: readonly DeployedFunction[], stateMachines: readonly DeployedStateMachine[]) {
  const widgets: Widget[] = [];
  for (const { stateMachine, stateMachineName } of stateMachines) {
    const dim = ['StateMachineArn', stateMachine.arn];
    widgets.push(
      widget(`${stateMachineName}: executions`, region, 'Sum', [
        ['AWS/States', 'ExecutionsStarted', ...dim],
        ['AWS/States', 'ExecutionsSucceeded', ...dim],
        ['AWS/States', 'ExecutionsFailed', ...dim],
        ['AWS/States', 'ExecutionsTimedOut', ...dim],
        ['AWS/States', 'ExecutionsAborted', ...dim],
      ]),
      widget(`${stateMachineName}: execution time (ms)`, region, 'p50', ['p50', 'p95', 'p99'].map((stat) => ['AWS/States', 'ExecutionTime', ...dim, { stat }])),
    );
  }
  if (functions.length > 0) {
    const perFunction = (metric: string, stat: string) => functions.map(({ functionName }) => ['AWS/Lambda', metric, 'FunctionName', functionName, { stat }]);
    for (const stat of ['p50', 'p95', 'p99']) widgets.push(widget(`Function duration ${stat} (ms)`, region, stat, perFunction('Duration', stat)));
    widgets.push(widget('Function errors', region, 'Sum', perFunction('Errors', 'Sum')));
    widgets.push(widget('Function throttles', region, 'Sum', perFunction('Throttles', 'Sum')));
  }
  return { widgets };
}
