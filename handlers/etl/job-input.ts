// The ETL job's input: the Step Functions execution input, validated once by plan. Later tasks read the
// normalized copy from the manifest, so defaults are decided in exactly one place.
import { z } from 'zod';
import { inputUnderJobPrefix, jobIdSchema, s3KeySchema } from '../lib/validation';
import { MAX_BUCKETS } from './partition-items';
import { etlSpecSchema } from './spec';

/** The spec inline, or the key of a JSON object holding it. */
const specField = z.union([z.strictObject({ key: s3KeySchema }), z.record(z.string(), z.unknown())]).superRefine((spec, ctx) => {
  if ('key' in spec && Object.keys(spec).length === 1) return;
  const parsed = etlSpecSchema.safeParse(spec);
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export const etlJobSchema = inputUnderJobPrefix(
  z.strictObject({
    jobId: jobIdSchema,
    input: z.strictObject({ key: s3KeySchema }),
    spec: specField,
    /**
     * Bytes per CSV partition, in MB (fractions allowed: tests cut tiny files into many partitions). Scans
     * and transforms stream their range, so the size is about time, not memory: at most 1,024 (a partition
     * is one Map item; past that, fewer items only lengthen each one's chain of time-boxed turns).
     */
    partitionMb: z.number().positive().max(1024).default(64),
    maxConcurrency: z.number().int().min(1).max(10_000).default(10),
    /** Rejected rows allowed, as a percentage of the rows read, before the job fails. */
    maxRejectPercent: z.number().min(0).max(100).default(0),
    /** Buckets the partial aggregates are hash-partitioned into, reduced in parallel; default from the partition count. */
    reduceBuckets: z.number().int().min(1).max(MAX_BUCKETS).nullable().default(null),
  }));

export type EtlJob = z.infer<typeof etlJobSchema>;

/** What every task after plan receives: the job id, everything else is in the manifest. */
export const jobRefSchema = z.object({ jobId: jobIdSchema });
