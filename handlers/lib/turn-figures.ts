// A time-boxed task's figures (rows read, rows rejected) added to its job's progress as each turn ends, so
// they are live while the task still has turns to go (up to 15 minutes each), and every count of the
// task's checkpointed state reaches the job once, however its invocations fail and are retried.
//
// A contribution is what the figures gained over a span of checkpoints, named by the checkpoint it starts
// from (`<taskId>@seq-<n>`, seq 0 being the initial state); the first write of a name decides where its
// span ends. A turn normally spans from its cursor to the last checkpoint it saved. But an invocation that
// died after saving a checkpoint (its figure write failed, it ran out of memory) is retried with the same
// cursor and resumes from that later checkpoint, whose predecessor is gone: so the cursor carries the
// figures at its checkpoint, and the retry adds the span it did not run (cursor → resumed) under the
// cursor's name before its own. If the dead invocation had added the cursor's span already, it ended at
// the checkpoint the retry resumed from, so the retry's write is the same contribution, counted once.
// The one gap takes two failures in one turn: once the cursor's span has been added, an invocation that
// dies after a checkpoint and before adding its own span leaves that span out of the live figures (its
// retry cannot tell where the added span ended). The task's own totals are unaffected.
import { z } from 'zod';
import { addJobFigures, type JobFigures } from './progress';
import type { LoopTurn } from './time-boxed-loop';

/** What such a task passes itself between turns: the checkpoint to resume, and its figures, already added. */
export const figuresCursorSchema = z.object({
  seq: z.number().int().min(1),
  // Absent from a cursor written before figures existed: the span it would name is then not added.
  figures: z.record(z.string(), z.number().int().min(0)).optional(),
});

export type FiguresCursor = z.infer<typeof figuresCursorSchema>;

/** The contribution of the span that starts at checkpoint `seq` of the task. */
export const turnContributionId = (taskId: string, seq: number) => `${taskId}@seq-${seq}`;

/**
 * Adds the turn's figures to the job (once each, whatever was added before) and returns the cursor of the
 * next turn. `turn` holds the figures at the checkpoints the invocation resumed from and ended at.
 */
export async function addTurnFigures(jobId: string, taskId: string, cursor: FiguresCursor | null, turn: LoopTurn<JobFigures>): Promise<FiguresCursor> {
  const start = { seq: cursor?.seq ?? 0, figures: cursor ? cursor.figures : zeros(turn.from.state) };
  const spans: { seq: number; toSeq: number; from: JobFigures; to: JobFigures }[] = [];
  if (turn.from.seq > start.seq && start.figures) spans.push({ seq: start.seq, toSeq: turn.from.seq, from: start.figures, to: turn.from.state });
  spans.push({ seq: turn.from.seq, toSeq: turn.to.seq, from: turn.from.state, to: turn.to.state });
  // Written even when nothing was gained, since a name's first write decides where its span ends; only a
  // span that saved no checkpoint (a finished loop's retry) has no end of its own to name.
  for (const span of spans) {
    if (span.toSeq > span.seq) await addJobFigures(jobId, turnContributionId(taskId, span.seq), difference(span.to, span.from));
  }
  return { seq: turn.to.seq, figures: { ...turn.to.state } };
}

function zeros(figures: JobFigures): JobFigures {
  return Object.fromEntries(Object.keys(figures).map((name) => [name, 0]));
}

function difference(to: JobFigures, from: JobFigures): JobFigures {
  return Object.fromEntries(Object.entries(to).map(([name, n]) => [name, n - (from[name] ?? 0)]));
}
