// Lambda: one bucket of the partial aggregates (an item of the reduce Map): every partition's pieces for
// it merged into one state per group, written in output order. Buckets run in parallel, and a bucket
// holds only its share of the groups.
import { z } from 'zod';
import { forEachLimit } from '../lib/for-each-limit';
import { getJson, putJson } from '../lib/s3';
import { defineTask } from '../lib/task';
import { jobIdSchema } from '../lib/validation';
import { aggregatePlan, GroupMerger, type GroupEntry } from './group-table';
import { etlKeys } from './keys';
import { jobFingerprintOf, readManifest, type EtlManifest } from './manifest';
import type { PartitionItem } from './partition-items';
import type { TransformedPartition } from './transform-partition';

const READ_CONCURRENCY = 16;

/** Every partition's summary, in partition order. */
export async function transformedPartitions(m: EtlManifest): Promise<TransformedPartition[]> {
  const items = await getJson<PartitionItem[]>(etlKeys.partitions(m.jobId));
  const done: TransformedPartition[] = new Array(items.length);
  await forEachLimit(items, READ_CONCURRENCY, async (item, i) => {
    done[i] = await getJson<TransformedPartition>(etlKeys.transformed(m.jobId, item.index));
  });
  return done;
}

async function reduceBucket(m: EtlManifest, bucket: number): Promise<{ key: string; groups: number }> {
  const pieces = (await transformedPartitions(m)).flatMap((p) => p.partials.filter((x) => x.bucket === bucket).map((x) => x.key));
  const merger = new GroupMerger(aggregatePlan(m.spec));
  await forEachLimit(pieces, READ_CONCURRENCY, async (key) => {
    for (const entry of await getJson<GroupEntry[]>(key)) merger.add(entry);
  });
  const entries = merger.entries();
  const key = etlKeys.reduced(m.jobId, bucket);
  await putJson(key, entries);
  return { key, groups: entries.length };
}

export const handler = defineTask({
  name: 'etl-reduce',
  event: z.object({ jobId: jobIdSchema, bucket: z.number().int().min(0) }),
  load: ({ jobId }) => readManifest(jobId),
  step: { name: 'reduce' },
  work: ({ event, loaded }) => reduceBucket(loaded, event.bucket),
  once: {
    marker: ({ jobId, bucket }) => etlKeys.marker(jobId, `reduce-${bucket}`),
    fingerprint: ({ loaded }) => jobFingerprintOf(loaded),
    outputs: (r) => [r.key],
  },
  respond: (r, { event }) => ({ bucket: event.bucket, groups: r.groups }),
});
