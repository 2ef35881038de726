// Lambda: one partition (a Distributed Map item), time-boxed: returns { done: false, cursor } before its
// deadline and is called again by the state machine with the cursor until it returns done. Counted as
// one of the job's units once it is done.
import { z } from 'zod';
import { recordTaskDone } from '../lib/progress';
import { defineTask } from '../lib/task';
import { jobIdSchema } from '../lib/validation';
import { readManifest } from './manifest';
import { partitionItemSchema } from './partition-items';
import { transformPartition } from './transform-partition';

const eventSchema = z.object({
  jobId: jobIdSchema,
  partition: partitionItemSchema,
  cursor: z.object({ seq: z.number().int().min(1) }).nullable().default(null),
});

export const partitionTaskId = (index: number) => `partition-${String(index).padStart(5, '0')}`;

export const handler = defineTask({
  name: 'etl-transform',
  event: eventSchema,
  load: ({ jobId }) => readManifest(jobId),
  work: async ({ event, loaded, deadline, context }) => {
    const started = context.getRemainingTimeInMillis();
    const loop = await transformPartition(loaded, event.partition, deadline, event.cursor);
    if (loop.done) {
      await recordTaskDone(event.jobId, partitionTaskId(event.partition.index), { durationMs: Math.max(0, started - context.getRemainingTimeInMillis()), units: 1 });
    }
    return loop;
  },
  // The state machine reads `rowsIn` on every turn: the rows so far only once done.
  respond: (loop) => ({ done: loop.done, cursor: loop.cursor, rowsIn: loop.done ? loop.result.counts.rowsIn : null }),
});
