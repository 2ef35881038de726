// What gather reads from every transformed partition, once, and what it leaves for reduce and report.
import { z } from 'zod';
import { InternalError, InvalidInput } from '../lib/errors';
import { forEachLimit } from '../lib/for-each-limit';
import { getJson, putJson } from '../lib/s3';
import { readStoredJson } from '../lib/stored-json';
import { etlKeys } from './keys';
import type { EtlManifest } from './manifest';
import type { PartitionItem } from './partition-items';
import type { Reject, TransformCounts, TransformedPartition } from './transform-partition';

const countsSchema = z.object({
  rowsIn: z.number().int().min(0),
  rowsOut: z.number().int().min(0),
  rowsFiltered: z.number().int().min(0),
  rowsRejected: z.number().int().min(0),
});

export const gatheredSchema = z.object({
  counts: countsSchema,
  partitions: z.number().int().min(0),
  rejectPercent: z.number(),
  /** The rows' Parquet pieces and the rejects' pieces, in row order. */
  rows: z.array(z.string()),
  rejects: z.array(z.string()),
});

export type Gathered = z.infer<typeof gatheredSchema>;

const READ_CONCURRENCY = 16;
const REJECT_SAMPLE = 5;

/** Every partition's summary, in partition order. */
async function transformedPartitions(m: EtlManifest): Promise<TransformedPartition[]> {
  const items = await getJson<PartitionItem[]>(etlKeys.partitions(m.jobId));
  const done: TransformedPartition[] = new Array(items.length);
  await forEachLimit(items, READ_CONCURRENCY, async (item, i) => {
    done[i] = await getJson<TransformedPartition>(etlKeys.transformed(m.jobId, item.index));
  });
  return done;
}

/** InvalidInput with a sample of the first rejects when more rows were rejected than the job allows; else the percentage. */
async function checkRejectLimit(m: EtlManifest, totals: TransformCounts, rejectPieces: readonly string[]): Promise<number> {
  const percent = totals.rowsIn === 0 ? 0 : (100 * totals.rowsRejected) / totals.rowsIn;
  if (percent <= m.job.maxRejectPercent) return percent;
  const sample = rejectPieces.length > 0 ? (await getJson<Reject[]>(rejectPieces[0]!)).slice(0, REJECT_SAMPLE) : [];
  const examples = sample.map((r) => `row ${r.row}: ${r.reason}`).join('; ');
  throw new InvalidInput(
    `${totals.rowsRejected} of ${totals.rowsIn} rows (${percent.toFixed(3)}%) were rejected, more than maxRejectPercent ${m.job.maxRejectPercent}: ${examples}`,
    { key: m.inputObject.key, field: 'maxRejectPercent' },
  );
}

export async function gatherPartitions(m: EtlManifest): Promise<{ gathered: Gathered; runs: number; outputs: string[] }> {
  const parts = await transformedPartitions(m);
  const counts: TransformCounts = { rowsIn: 0, rowsOut: 0, rowsFiltered: 0, rowsRejected: 0 };
  for (const p of parts) for (const k of Object.keys(counts) as (keyof TransformCounts)[]) counts[k] += p.counts[k];
  if (counts.rowsIn !== counts.rowsOut + counts.rowsFiltered + counts.rowsRejected) throw new InternalError(`Row totals do not add up: ${JSON.stringify(counts)}`);
  const rejects = parts.flatMap((p) => p.rejects);
  const rejectPercent = await checkRejectLimit(m, counts, rejects);

  // Runs in partition and spill order: a bucket's merge is stable in that order.
  const runsByBucket: string[][] = Array.from({ length: m.buckets }, () => []);
  for (const p of parts) {
    for (const { bucket, key } of p.partials) {
      if (!(bucket >= 0 && bucket < m.buckets)) throw new InternalError(`Partition ${p.index} wrote bucket ${bucket} of ${m.buckets}`);
      runsByBucket[bucket]!.push(key);
    }
  }
  const bucketKeys = runsByBucket.map((_, b) => etlKeys.bucketRuns(m.jobId, b));
  await forEachLimit(runsByBucket, READ_CONCURRENCY, (runs, b) => putJson(bucketKeys[b]!, runs));
  const gathered: Gathered = { counts, partitions: parts.length, rejectPercent, rows: parts.flatMap((p) => p.rows), rejects };
  await putJson(etlKeys.gathered(m.jobId), gathered);
  return { gathered, runs: runsByBucket.reduce((n, r) => n + r.length, 0), outputs: [...bucketKeys, etlKeys.gathered(m.jobId)] };
}

export async function readGathered(m: EtlManifest): Promise<Gathered> {
  return readStoredJson(etlKeys.gathered(m.jobId), gatheredSchema, { missing: `Job ${m.jobId} has not been gathered: report runs after gather`, name: 'gathered.json' });
}

export async function readBucketRuns(m: EtlManifest, bucket: number): Promise<string[]> {
  return readStoredJson(etlKeys.bucketRuns(m.jobId, bucket), z.array(z.string()), {
    missing: `Job ${m.jobId} has no run list for bucket ${bucket}: reduce runs after gather`,
    name: `bucket ${bucket}'s run list`,
  });
}
