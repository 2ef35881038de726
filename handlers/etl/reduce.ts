// Lambda: one bucket of the partial aggregates (an item of the reduce Map): its runs from every partition
// merged into one run in output order. Buckets run in parallel; each streams its runs, so neither the
// bucket's nor the job's groups need to fit in memory.
import { z } from 'zod';
import { defineTask } from '../lib/task';
import { jobIdSchema } from '../lib/validation';
import { readBucketRuns } from './gathered';
import { aggregatePlan } from './group-table';
import { etlKeys } from './keys';
import { jobFingerprintOf, readManifest } from './manifest';
import { reduceBucket } from './reduce-bucket';

export const handler = defineTask({
  name: 'etl-reduce',
  event: z.object({ jobId: jobIdSchema, bucket: z.number().int().min(0) }),
  load: ({ jobId }) => readManifest(jobId),
  step: { name: 'reduce' },
  work: async ({ event, loaded }) => reduceBucket(loaded.jobId, aggregatePlan(loaded.spec), event.bucket, await readBucketRuns(loaded, event.bucket)),
  once: {
    marker: ({ jobId, bucket }) => etlKeys.marker(jobId, `reduce-${bucket}`),
    fingerprint: ({ loaded }) => jobFingerprintOf(loaded),
    outputs: (r) => [r.key],
  },
  respond: (r, { event }) => ({ bucket: event.bucket, groups: r.groups }),
});
