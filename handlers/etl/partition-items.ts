// The items of the transform Map: one partition each, small enough for a state payload, carrying what its
// worker needs to find its rows without reading anything else first.
import { z } from 'zod';

export const partitionItemSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('csv'),
    index: z.number().int().min(0),
    /** Bytes start..end-1 of the file: whole rows. */
    start: z.number().int().min(0),
    end: z.number().int().min(1),
    /** 1-based row number of its first row, the header being row 1. */
    firstRow: z.number().int().min(1),
  }),
  z.object({
    kind: z.literal('parquet'),
    index: z.number().int().min(0),
    rowGroup: z.number().int().min(0),
    /** 1-based row number of the group's first row in the file. */
    firstRow: z.number().int().min(1),
    rowCount: z.number().int().min(0),
  }),
]);

export type PartitionItem = z.infer<typeof partitionItemSchema>;

/**
 * Most buckets a job may have: Report merges every bucket's reduced run at once, and each open run holds
 * one of the S3 client's 50 sockets (reduce-bucket.ts, FAN_IN). A reduce streams, so more buckets would
 * only add parallelism, not let a bucket hold more groups.
 */
export const MAX_BUCKETS = 32;

/** Buckets for the partial aggregates: one reduce task for about 8 partitions, at most MAX_BUCKETS. */
export function defaultBuckets(partitions: number): number {
  return Math.min(MAX_BUCKETS, Math.max(1, Math.ceil(partitions / 8)));
}
