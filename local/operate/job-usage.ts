// A job's S3 and DynamoDB usage from the handlers' EMF records (metrics-source.ts): the records of the
// execution input's `jobId`, within the execution's time, so an earlier run of the same job id is left out.
import type { ExecutionTrace } from './execution-trace';
import { readMetrics, totalUsage, type UsageTotals } from './metrics-source';

export interface UsageSource {
  /** An EMF file (one record a line). */
  metricsFile?: string;
  /** A local server's data dir, whose EMF file the runner writes. */
  dataDir?: string;
}

/** Summed usage, or undefined when there is no source or it holds none of the job's records ("not measured"). */
export async function jobUsage(trace: ExecutionTrace, source: UsageSource): Promise<UsageTotals | undefined> {
  if (source.metricsFile === undefined && source.dataDir === undefined) return undefined;
  const jobId = jobIdOf(trace);
  if (jobId === undefined) return undefined;
  const records = await readMetrics({
    ...(source.metricsFile !== undefined ? { file: source.metricsFile } : { dataDir: source.dataDir }),
    jobId,
    since: trace.execution.startDate,
    // A record is stamped when its invocation ends, just before the task's result reaches the history.
    until: (trace.execution.stopDate ?? trace.readAt).getTime() + 1000,
  });
  return records.length > 0 ? totalUsage(records) : undefined;
}

/** The pipelines name their job in the execution input's `jobId`; the EMF records carry the same id. */
export function jobIdOf(trace: ExecutionTrace): string | undefined {
  try {
    const id = (JSON.parse(trace.execution.input ?? '') as { jobId?: unknown }).jobId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
