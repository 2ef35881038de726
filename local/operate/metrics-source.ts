// The EMF records handlers printed and the local runner kept (`<dataDir>/metrics/emf.ndjson`), read back for
// one job or a time window: what each invocation measured (duration, work done) and what it asked of S3
// and DynamoDB, for `longhaul cost` and the console's cost panel. In AWS the same records are in the functions' log
// groups (Logs Insights); this reads the local file only.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EMF_PROPERTIES, METRICS_NAMESPACE, TASK_DURATION_METRIC } from '../../handlers/lib/metric-names';
import { zeroRequestCounts, type S3RequestCounts } from '../../handlers/lib/request-counts';
import { emfFilePath } from '../lambda/emf-lines';

export type { S3RequestCounts };

export interface MetricsQuery {
  /** The data dir `longhaul serve` / `run` used; its EMF file is read. */
  dataDir?: string;
  /** An EMF file to read instead. */
  file?: string;
  /** Only this job's records. */
  jobId?: string;
  /** Only records stamped at or after / before this time (ms since the epoch, or a Date). */
  since?: number | Date;
  until?: number | Date;
}

/** What one invocation measured. */
export interface MetricRecord {
  /** The record's `_aws.Timestamp`, ms since the epoch (when the invocation ended). */
  timestamp: number;
  /** The `function` dimension: the function's name as its context gave it (catalog name locally). */
  function: string;
  pipeline: string;
  jobId?: string;
  requestId?: string;
  /** `done`, `reused`, `skipped` or `failed`. */
  outcome?: string;
  errorType?: string;
  /** Handler time in ms (the TaskDuration metric). */
  durationMs?: number;
  /** Every metric of the record by name (TaskDuration, FramesEncoded, RowsRead, S3BytesRead...). */
  metrics: Record<string, number>;
  s3Requests: S3RequestCounts;
  dynamodb: { requests: number; readUnits: number; writeUnits: number };
}

/** Usage summed over records. */
export interface UsageTotals {
  invocations: number;
  s3Requests: S3RequestCounts;
  dynamodb: { requests: number; readUnits: number; writeUnits: number };
  /** Each metric summed over the records that have it. */
  metrics: Record<string, number>;
}

const millis = (t: number | Date | undefined): number | undefined => (t instanceof Date ? t.getTime() : t);

/** The records matching the query, in file order; an absent file (nothing measured yet) gives none. */
export async function readMetrics(query: MetricsQuery): Promise<MetricRecord[]> {
  const file = query.file ?? (query.dataDir !== undefined ? emfFilePath(query.dataDir) : undefined);
  if (file === undefined) throw new Error('readMetrics: give dataDir or file');
  if (!existsSync(file)) return [];
  const since = millis(query.since);
  const until = millis(query.until);
  const records: MetricRecord[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    // Cheap test first: most of a big file belongs to other jobs.
    if (query.jobId !== undefined && !line.includes(query.jobId)) continue;
    const record = parseEmfRecord(line);
    if (!record) continue;
    if (query.jobId !== undefined && record.jobId !== query.jobId) continue;
    if (since !== undefined && record.timestamp < since) continue;
    if (until !== undefined && record.timestamp >= until) continue;
    records.push(record);
  }
  return records;
}

type Json = Record<string, unknown>;

const numberOr0 = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const stringOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * One line as a record, or undefined for anything that is not a longhaul EMF record (another namespace,
 * a line cut short by a crash).
 */
export function parseEmfRecord(line: string): MetricRecord | undefined {
  let raw: Json;
  try {
    raw = JSON.parse(line) as Json;
  } catch {
    return undefined;
  }
  const aws = raw._aws as { Timestamp?: unknown; CloudWatchMetrics?: { Namespace?: unknown; Metrics?: { Name?: unknown }[] }[] } | undefined;
  const directive = aws?.CloudWatchMetrics?.find((d) => d.Namespace === METRICS_NAMESPACE);
  if (!aws || !directive || typeof aws.Timestamp !== 'number') return undefined;
  const metrics: Record<string, number> = {};
  for (const { Name } of directive.Metrics ?? []) {
    // EMF allows an array of values for one metric: they add up.
    const value = typeof Name === 'string' ? raw[Name] : undefined;
    if (typeof Name === 'string') metrics[Name] = Array.isArray(value) ? value.reduce((s: number, v) => s + numberOr0(v), 0) : numberOr0(value);
  }
  const p = EMF_PROPERTIES;
  const s3 = (raw[p.s3Requests] ?? {}) as Json;
  const zero = zeroRequestCounts();
  return {
    timestamp: aws.Timestamp,
    function: String(raw.function ?? ''),
    pipeline: String(raw.pipeline ?? ''),
    jobId: stringOrUndefined(raw[p.jobId]),
    requestId: stringOrUndefined(raw[p.requestId]),
    outcome: stringOrUndefined(raw[p.outcome]),
    errorType: stringOrUndefined(raw[p.errorType]),
    durationMs: metrics[TASK_DURATION_METRIC],
    metrics,
    s3Requests: Object.fromEntries(Object.keys(zero.s3).map((k) => [k, numberOr0(s3[k])])) as unknown as S3RequestCounts,
    dynamodb: {
      requests: numberOr0(raw[p.dynamodbRequests]),
      readUnits: numberOr0(raw[p.dynamodbReadUnits]),
      writeUnits: numberOr0(raw[p.dynamodbWriteUnits]),
    },
  };
}

/** Sums the records' requests, units and metrics (a job's whole usage, for cost). */
export function totalUsage(records: readonly MetricRecord[]): UsageTotals {
  const zero = zeroRequestCounts();
  const totals: UsageTotals = { invocations: records.length, s3Requests: zero.s3, dynamodb: zero.dynamodb, metrics: {} };
  for (const r of records) {
    for (const key of Object.keys(totals.s3Requests) as (keyof S3RequestCounts)[]) totals.s3Requests[key] += r.s3Requests[key];
    totals.dynamodb.requests += r.dynamodb.requests;
    totals.dynamodb.readUnits += r.dynamodb.readUnits;
    totals.dynamodb.writeUnits += r.dynamodb.writeUnits;
    for (const [name, value] of Object.entries(r.metrics)) totals.metrics[name] = (totals.metrics[name] ?? 0) + value;
  }
  return totals;
}
