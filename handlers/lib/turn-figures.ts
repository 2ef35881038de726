// A time-boxed task's figures (rows read, rows rejected) added to its job's progress as each turn ends, so
// they are live while the task still has turns to go (up to 15 minutes each), and every count of the
// task's checkpointed state reaches the job once, however its invocations fail and are retried.
//
// A contribution is what the figures gained over a span of checkpoints, named by the checkpoint it starts
// from (`<taskId>@seq-<n>`, seq 0 being the initial state); the first write of a name decides where its
// span ends. A turn normally spans from its cursor to the last checkpoint it saved. But an invocation that
// died after saving a checkpoint (killed at its timeout, out of memory, its figure write failed) is
// retried with the same cursor and resumes from that later checkpoint, whose predecessor is gone: so the
// cursor carries the figures at its checkpoint, and the retry adds everything from the cursor to where it
// ends in one write, under the cursor's name. That name is taken only if an invocation added its figures
// and then died before answering (a lost response): its span ended where the retry resumed, so the retry
// adds its own span alone. One write a turn, not two, because a retry killed between two writes (a turn
// ends close to its deadline, and a loaded machine can eat the margin) left the second span out for good.
// The one gap left takes a lost response, then a retry killed between the refused write and its own.
// The task's own totals are unaffected either way.
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

/** How a contribution is added (the progress table's conditional write); tests pass one that fails where told. */
export type AddFigures = (jobId: string, contributionId: string, figures: JobFigures) => Promise<boolean>;

/**
 * Adds the turn's figures to the job (once each, whatever was added before) and returns the cursor of the
 * next turn. `turn` holds the figures at the checkpoints the invocation resumed from and ended at.
 */
export async function addTurnFigures(
  jobId: string,
  taskId: string,
  cursor: FiguresCursor | null,
  turn: LoopTurn<JobFigures>,
  add: AddFigures = addJobFigures,
): Promise<FiguresCursor> {
  const start = { seq: cursor?.seq ?? 0, figures: cursor ? cursor.figures : zeros(turn.from.state) };
  const next = { seq: turn.to.seq, figures: { ...turn.to.state } };
  // Resumed ahead of the cursor: the cursor's span runs to this turn's end, unless its name is taken.
  if (turn.from.seq > start.seq && start.figures) {
    if (await add(jobId, turnContributionId(taskId, start.seq), difference(turn.to.state, start.figures))) return next;
  }
  // Written even when nothing was gained, since a name's first write decides where its span ends; only a
  // span that saved no checkpoint (a finished loop's retry) has no end of its own to name.
  if (turn.to.seq > turn.from.seq) await add(jobId, turnContributionId(taskId, turn.from.seq), difference(turn.to.state, turn.from.state));
  return next;
}

function zeros(figures: JobFigures): JobFigures {
  return Object.fromEntries(Object.keys(figures).map((name) => [name, 0]));
}

function difference(to: JobFigures, from: JobFigures): JobFigures {
  return Object.fromEntries(Object.entries(to).map(([name, n]) => [name, n - (from[name] ?? 0)]));
}
