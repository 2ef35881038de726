// Every S3 key the ETL pipeline reads or writes, deterministic per job, partition, bucket and checkpoint,
// which is what lets a retried task find (or overwrite) its own earlier output.
import { jobKeys } from '../lib/storage-layout';

const pad = (n: number, width = 5) => String(n).padStart(width, '0');

export const etlKeys = {
  /** The plan: job, spec, input format and layout. */
  manifest: (jobId: string) => jobKeys.work(jobId, 'manifest.json'),
  /** Completion markers of the single-shot tasks (scans use their result as their marker). */
  marker: (jobId: string, task: 'stitch' | 'gather' | 'report' | `reduce-${number}`) => jobKeys.work(jobId, `markers/${task}.json`),
  /** CSV: the byte ranges to scan (the scan Map's items). */
  ranges: (jobId: string) => jobKeys.work(jobId, 'ranges.json'),
  scan: (jobId: string, range: number) => jobKeys.work(jobId, `scans/${pad(range)}.json`),
  /** The partitions to transform (the transform Map's items). */
  partitions: (jobId: string) => jobKeys.work(jobId, 'partitions.json'),
  checkpoint: (jobId: string, partition: number) => jobKeys.work(jobId, `transform/${pad(partition)}/checkpoint.json`),
  /** A partition's totals and the pieces it wrote: written once it is done. */
  transformed: (jobId: string, partition: number) => jobKeys.work(jobId, `transform/${pad(partition)}/done.json`),
  /** A sorted run of groups (group-runs.ts) of one bucket, from one partition's spill. */
  partial: (jobId: string, bucket: number, partition: number, seq: number) => jobKeys.work(jobId, `partials/b${pad(bucket, 3)}/p${pad(partition)}-${pad(seq, 4)}.ndjson`),
  rowsPiece: (jobId: string, partition: number, seq: number) => jobKeys.work(jobId, `rows/p${pad(partition)}-${pad(seq, 4)}.parquet`),
  rejectsPiece: (jobId: string, partition: number, seq: number) => jobKeys.work(jobId, `rejects/p${pad(partition)}-${pad(seq, 4)}.json`),
  /** Every partition's totals and pieces, read once after the transforms (gather). */
  gathered: (jobId: string) => jobKeys.work(jobId, 'gathered.json'),
  /** The runs a reduce task merges: its bucket's partials, listed by gather. */
  bucketRuns: (jobId: string, bucket: number) => jobKeys.work(jobId, `reduce/b${pad(bucket, 3)}/runs.json`),
  /** An intermediate run of a reduce with more runs than it merges at once. */
  reducePass: (jobId: string, bucket: number, pass: number, index: number) => jobKeys.work(jobId, `reduce/b${pad(bucket, 3)}/pass${pass}-${pad(index)}.ndjson`),
  /** A bucket's groups merged, in output order (a sorted run). */
  reduced: (jobId: string, bucket: number) => jobKeys.work(jobId, `reduced/b${pad(bucket, 3)}.ndjson`),
  aggregatesCsv: (jobId: string) => jobKeys.output(jobId, 'aggregates.csv'),
  aggregatesParquet: (jobId: string) => jobKeys.output(jobId, 'aggregates.parquet'),
  rejectsCsv: (jobId: string) => jobKeys.output(jobId, 'rejects.csv'),
  rowsPart: (jobId: string, part: number) => jobKeys.output(jobId, `rows/part-${pad(part)}.parquet`),
  /** The job's figures; also report's marker, so it is written last. */
  report: (jobId: string) => jobKeys.output(jobId, 'report.json'),
};
