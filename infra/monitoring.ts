// What an operator watches: a dashboard (the lesson's four panels, executions, task durations, work done) and alarms to one SNS topic.
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { kebabName } from '../handlers/catalog-types';
import { METRICS_NAMESPACE, pipelineDimension, WORK_METRICS, type WorkMetric } from '../handlers/lib/metric-names';
import { resourceName, type StackConfig } from './config';
import type { DeployedFunction } from './functions';
import type { DeployedStateMachine } from './state-machines';
import { TIMEOUT_WARNING_SHARE } from './timeout-warning';

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
      alarmDescription: `${functionName}: p99 duration above ${TIMEOUT_WARNING_SHARE * 100}% of its ${spec.timeoutSeconds} s timeout`,
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
  return Math.round(timeoutSeconds * 1000 * TIMEOUT_WARNING_SHARE);
}

type Metric = (string | Record<string, string | boolean>)[];
interface Widget {
  type: 'metric';
  width: number;
  height: number;
  properties: { title: string; region: string; metrics: Metric[]; stat: string; period: number; view: 'timeSeries' };
}

function widget(title: string, region: string, stat: string, metrics: Metric[]): Widget {
  return { type: 'metric', width: 12, height: 6, properties: { title, region, metrics, stat, period: PERIOD_SECONDS, view: 'timeSeries' } };
}

/** A metric math line; the metrics it reads are drawn hidden beside it. */
const expression = (id: string, expr: string, label: string): Metric => [{ expression: expr, label, id }];
const hidden = (id: string, stat: string, label?: string): Record<string, string | boolean> => ({ id, stat, visible: false, ...(label ? { label } : {}) });

/**
 * The lesson's four panels (AWS-Lambda-LESS-14, "CloudWatch Dashboard") as metric math over the metrics
 * AWS publishes itself. Success rate counts finished executions, not started ones: a job started in one
 * period ends hours later in another, and Succeeded / Started would read every such period as failures.
 */
export function lessonPanels(region: string, functions: readonly DeployedFunction[], stateMachines: readonly DeployedStateMachine[]): Widget[] {
  const widgets: Widget[] = [];
  if (stateMachines.length > 0) {
    const success: Metric[] = [];
    const duration: Metric[] = [];
    stateMachines.forEach(({ stateMachine, stateMachineName }, i) => {
      const dim = ['StateMachineArn', stateMachine.arn];
      const outcomes = { ok: 'ExecutionsSucceeded', failed: 'ExecutionsFailed', timedout: 'ExecutionsTimedOut', aborted: 'ExecutionsAborted' };
      for (const [id, metric] of Object.entries(outcomes)) success.push(['AWS/States', metric, ...dim, hidden(`${id}${i}`, 'Sum')]);
      const filled = Object.keys(outcomes).map((id) => `FILL(${id}${i}, 0)`);
      success.push(expression(`success${i}`, `100 * ${filled[0]} / (${filled.join(' + ')})`, `${stateMachineName} success rate (%)`));
      duration.push(['AWS/States', 'ExecutionTime', ...dim, hidden(`time${i}`, 'Average')]);
      duration.push(expression(`avg${i}`, `time${i} / 1000`, `${stateMachineName} average duration (s)`));
    });
    widgets.push(widget('Pipeline success rate (%): succeeded / finished executions', region, 'Sum', success));
    widgets.push(widget('Average execution duration (s)', region, 'Average', duration));
  }
  if (functions.length > 0) {
    const p99 = functions.map(({ functionName }, j): Metric => ['AWS/Lambda', 'Duration', 'FunctionName', functionName, hidden(`p99_${j}`, 'p99', functionName)]);
    widgets.push(
      widget('Bottleneck step: the function with the highest p99 duration (ms)', region, 'p99', [
        ...p99,
        expression('bottleneck', 'SORT(METRICS("p99_"), MAX, DESC, 1)', 'highest p99'),
      ]),
    );
    const counts = (metric: string, prefix: string) =>
      functions.map(({ functionName }, j): Metric => ['AWS/Lambda', metric, 'FunctionName', functionName, hidden(`${prefix}${j}`, 'Sum')]);
    widgets.push(
      widget('Lambda error rate (%): errors / invocations, all functions', region, 'Sum', [
        ...counts('Errors', 'err_'),
        ...counts('Invocations', 'inv_'),
        expression('errorrate', '100 * SUM(METRICS("err_")) / SUM(METRICS("inv_"))', 'error rate (%)'),
      ]),
    );
  }
  return widgets;
}

/** The work handlers report (handlers/lib/metric-names.ts), summed over the functions that report it. */
export function workPanels(region: string, functions: readonly DeployedFunction[]): Widget[] {
  if (functions.length === 0) return [];
  const summed = (metric: WorkMetric): Metric[] => {
    const prefix = `${metric.toLowerCase()}_`;
    return [
      ...functions.map(({ spec, functionName }, j): Metric => [
        METRICS_NAMESPACE,
        metric,
        'function',
        functionName,
        'pipeline',
        pipelineDimension(spec.env),
        hidden(`${prefix}${j}`, 'Sum'),
      ]),
      expression(`${metric.toLowerCase()}`, `SUM(METRICS("${prefix}"))`, WORK_METRICS[metric].title),
    ];
  };
  const perPeriod = `per ${PERIOD_SECONDS / 60} min`;
  return [
    ...(['FramesEncoded', 'RowsRead', 'SamplesTrained'] as const).map((m) => widget(`${WORK_METRICS[m].title} (${perPeriod})`, region, 'Sum', summed(m))),
    widget(`S3 bytes read and written (${perPeriod})`, region, 'Sum', [...summed('S3BytesRead'), ...summed('S3BytesWritten')]),
  ];
}

export function dashboardBody(region: string, functions: readonly DeployedFunction[], stateMachines: readonly DeployedStateMachine[]) {
  const widgets: Widget[] = [...lessonPanels(region, functions, stateMachines)];
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
  widgets.push(...workPanels(region, functions));
  return { widgets };
}
