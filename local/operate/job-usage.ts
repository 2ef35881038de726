// A job's S3 and DynamoDB usage from the handlers' EMF records (metrics-source.ts): the records of the
// execution input's `jobId`, within the execution's time, so an earlier run of the same job id is left out.
import { JOB_ID_PATTERN } from '../../handlers/lib/storage-layout';
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
  const jobId = jobIdOf(trace.execution.input);
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

/**
 * The job an execution runs, when its input names one: every pipeline's input has `jobId`, and the EMF
 * records and the progress table carry the same id.
 */
export function jobIdOf(input: string | undefined): string | undefined {
  if (!input) return undefined;
  try {
    const jobId = (JSON.parse(input) as { jobId?: unknown } | null)?.jobId;
    return typeof jobId === 'string' && JOB_ID_PATTERN.test(jobId) ? jobId : undefined;
  } catch {
    return undefined;
  }
}
