// The names of handlers' EMF metrics, one definition for the handlers that emit them (metrics.ts), the
// dashboard that plots them (infra/monitoring.ts) and the tools that read them back
// (local/operate/metrics-source.ts). Importing it loads no metrics library.

export const METRICS_NAMESPACE = 'longhaul';

/** Set by the catalog on every pipeline function (infra and the local runner alike): the `pipeline` dimension. */
export const PIPELINE_ENV = 'LONGHAUL_PIPELINE';
/** The `pipeline` dimension of a function no pipeline owns (RecordFailure). */
export const SHARED_PIPELINE = 'shared';

/** A function's `pipeline` dimension, from its environment (process.env in a handler, the catalog's env in infra). */
export function pipelineDimension(env: Readonly<Record<string, string | undefined>> | undefined): string {
  return env?.[PIPELINE_ENV]?.trim() || SHARED_PIPELINE;
}

/** Handler time of one invocation, whatever its outcome. */
export const TASK_DURATION_METRIC = 'TaskDuration';

/** The work a task did, by metric name. Bytes are counted for every task, at its S3 client. */
export const WORK_METRICS = {
  FramesEncoded: { unit: 'Count', title: 'Video frames transcoded' },
  RowsRead: { unit: 'Count', title: 'ETL rows read' },
  SamplesTrained: { unit: 'Count', title: 'ML samples trained' },
  S3BytesRead: { unit: 'Bytes', title: 'Bytes read from S3' },
  S3BytesWritten: { unit: 'Bytes', title: 'Bytes written to S3' },
} as const;

export type WorkMetric = keyof typeof WORK_METRICS;
/** What a handler reports itself; bytes come from the S3 client. */
export type HandlerWorkMetric = Exclude<WorkMetric, 'S3BytesRead' | 'S3BytesWritten'>;

/** How an invocation ended. */
export type InvocationOutcome = 'done' | 'reused' | 'skipped' | 'failed';

/**
 * The EMF properties (not metrics: no charge, not plotted) a record carries: which job and invocation it
 * is, and its S3 requests and DynamoDB units, which `longhaul cost` prices.
 */
export const EMF_PROPERTIES = {
  jobId: 'jobId',
  requestId: 'requestId',
  service: 'service',
  outcome: 'outcome',
  errorType: 'errorType',
  s3Requests: 's3Requests',
  dynamodbRequests: 'dynamodbRequests',
  dynamodbReadUnits: 'dynamodbReadUnits',
  dynamodbWriteUnits: 'dynamodbWriteUnits',
} as const;
