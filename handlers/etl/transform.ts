// Lambda: one partition (a Distributed Map item), time-boxed: returns { done: false, cursor } before its
// deadline and is called again by the state machine with the cursor until it returns done. Counted as
// one of the job's units once it is done; every turn adds the rows it read and rejected to the job's
// live figures (the cursor carries the partition's figures so far: handlers/lib/turn-figures.ts).
import { z } from 'zod';
import { InternalError } from '../lib/errors';
import { recordTaskDone } from '../lib/progress';
import { defineTask } from '../lib/task';
import { mapTurn, type LoopTurn } from '../lib/time-boxed-loop';
import { addTurnFigures, figuresCursorSchema } from '../lib/turn-figures';
import { jobIdSchema } from '../lib/validation';
import { liveFiguresOf } from './live-figures';
import { readManifest } from './manifest';
import { partitionItemSchema } from './partition-items';
import { transformPartition, type TransformCounts } from './transform-partition';

const eventSchema = z.object({
  jobId: jobIdSchema,
  partition: partitionItemSchema,
  cursor: figuresCursorSchema.nullable().default(null),
});

export const partitionTaskId = (index: number) => `partition-${String(index).padStart(5, '0')}`;

export const handler = defineTask({
  name: 'etl-transform',
  event: eventSchema,
  load: ({ jobId }) => readManifest(jobId),
  failuresAs: (event) => partitionTaskId(event.partition.index),
  work: async ({ event, loaded, deadline, context, metrics }) => {
    const started = context.getRemainingTimeInMillis();
    const taskId = partitionTaskId(event.partition.index);
    const seen: { turn?: LoopTurn<TransformCounts> } = {};
    const loop = await transformPartition(loaded, event.partition, deadline, event.cursor, (turn) => (seen.turn = turn));
    if (!seen.turn) throw new InternalError(`Partition ${event.partition.index}: the transform loop returned without its turn`);
    const cursor = await addTurnFigures(event.jobId, taskId, event.cursor, mapTurn(seen.turn, liveFiguresOf));
    // What this invocation read: from the checkpoint it resumed to the one it saved.
    metrics.addWork('RowsRead', seen.turn.to.state.rowsIn - seen.turn.from.state.rowsIn);
    if (loop.done) {
      await recordTaskDone(event.jobId, taskId, { durationMs: Math.max(0, started - context.getRemainingTimeInMillis()), units: 1 });
    }
    return { loop, cursor };
  },
  // The state machine reads `rowsIn` on every turn: the rows so far only once done.
  respond: ({ loop, cursor }) => ({ done: loop.done, cursor, rowsIn: loop.done ? loop.result.counts.rowsIn : null }),
});
