// CloudWatch metrics from handlers, in the embedded metric format (Powertools Metrics): one EMF record on
// stdout per invocation, which CloudWatch Logs turns into metrics in AWS and the local runner keeps in
// `<dataDir>/metrics/emf.ndjson`. No API call, no extra permission, no cost beyond the log line.
//
// Names, dimensions and properties: metric-names.ts. The job id is a property, not a dimension: one
// metric per job would be billed as a custom metric each.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { InvocationContext } from './logger';
import {
  EMF_PROPERTIES,
  METRICS_NAMESPACE,
  pipelineDimension,
  TASK_DURATION_METRIC,
  WORK_METRICS,
  type HandlerWorkMetric,
  type InvocationOutcome,
} from './metric-names';
import { readRequestCounts, resetRequestCounts, type RequestCounts } from './request-counts';

/** What the record says of the invocation besides its measures; `jobId` once the event named a valid one. */
export interface InvocationEnd {
  jobId?: string;
  outcome: InvocationOutcome;
  errorType?: string;
}

export interface WorkRecorder {
  /** Adds work done by this invocation; added up if reported more than once. */
  addWork(name: HandlerWorkMetric, value: number): void;
}

interface InvocationMetrics extends WorkRecorder {
  /** Publishes the invocation's one record. Never throws: metrics must not fail a task. */
  flush(end: InvocationEnd): void;
}

/** Starts counting one invocation's duration, work and requests. */
function startInvocationMetrics(inv: { service: string; context?: InvocationContext }): InvocationMetrics {
  const started = performance.now();
  resetRequestCounts();
  const work = new Map<HandlerWorkMetric, number>();
  return {
    addWork(name, value) {
      // A bad figure is a bug to see in the log, not a reason to fail the job's task.
      if (!Number.isFinite(value) || value < 0) process.stderr.write(`metrics: ${name} must be a non-negative number, got ${value}: left out\n`);
      else work.set(name, (work.get(name) ?? 0) + value);
    },
    flush(end) {
      try {
        publish(inv, end, Math.round(performance.now() - started), work, readRequestCounts());
      } catch (err) {
        process.stderr.write(`metrics: could not publish the invocation's record: ${(err as Error).message}\n`);
      }
    },
  };
}

/**
 * Runs one invocation with its metrics record: published once when it ends, failed or not, with the
 * outcome `run` sets in `end` (`failed` and the error's name when it throws).
 */
export async function withInvocationMetrics<T>(
  inv: { service: string; context?: InvocationContext },
  run: (metrics: WorkRecorder, end: InvocationEnd) => Promise<T>,
): Promise<T> {
  const metrics = startInvocationMetrics(inv);
  const end: InvocationEnd = { outcome: 'failed' };
  try {
    return await run(metrics, end);
  } catch (err) {
    end.outcome = 'failed';
    end.errorType = err instanceof Error ? err.name || 'Error' : 'Error';
    throw err;
  } finally {
    metrics.flush(end);
  }
}

function publish(
  inv: { service: string; context?: InvocationContext },
  end: InvocationEnd,
  durationMs: number,
  work: ReadonlyMap<HandlerWorkMetric, number>,
  usage: RequestCounts,
): void {
  // A fresh instance per record: nothing carries over between invocations of a warm worker.
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: inv.service });
  // Powertools adds a `service` dimension by default; ours are function (the name Lambda gives it: the
  // deployed name in AWS, as AWS/Lambda's FunctionName) and pipeline only, since each distinct combination
  // is a custom metric, billed by the month.
  metrics.clearDefaultDimensions();
  const functionName = inv.context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? inv.service;
  metrics.setDefaultDimensions({ function: functionName, pipeline: pipelineDimension(process.env) });
  metrics.addMetric(TASK_DURATION_METRIC, MetricUnit.Milliseconds, durationMs);
  for (const [name, value] of work) metrics.addMetric(name, WORK_METRICS[name].unit, value);
  if (usage.s3BytesRead > 0) metrics.addMetric('S3BytesRead', MetricUnit.Bytes, usage.s3BytesRead);
  if (usage.s3BytesWritten > 0) metrics.addMetric('S3BytesWritten', MetricUnit.Bytes, usage.s3BytesWritten);
  const p = EMF_PROPERTIES;
  if (end.jobId !== undefined) metrics.addMetadata(p.jobId, end.jobId);
  if (inv.context?.awsRequestId !== undefined) metrics.addMetadata(p.requestId, inv.context.awsRequestId);
  metrics.addMetadata(p.service, inv.service);
  metrics.addMetadata(p.outcome, end.outcome);
  if (end.errorType !== undefined) metrics.addMetadata(p.errorType, end.errorType);
  // Powertools types metadata as strings; EMF properties may be any JSON, and numbers stay numbers.
  const add = metrics.addMetadata.bind(metrics) as (key: string, value: unknown) => void;
  add(p.s3Requests, usage.s3);
  add(p.dynamodbRequests, usage.dynamodb.requests);
  add(p.dynamodbReadUnits, usage.dynamodb.readUnits);
  add(p.dynamodbWriteUnits, usage.dynamodb.writeUnits);
  metrics.publishStoredMetrics();
}
