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

/** Buckets for the partial aggregates: enough that each reduce task holds about 8 partitions' groups, at most 64. */
export function defaultBuckets(partitions: number): number {
  return Math.min(64, Math.max(1, Math.ceil(partitions / 8)));
}
