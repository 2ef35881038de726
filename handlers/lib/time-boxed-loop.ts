// The contract for work longer than one invocation (DESIGN.md, "Time-boxing"): a handler works in small
// steps until its deadline is near, checkpoints, and returns `{ done: false, cursor }`; the state machine
// loops back through a Choice and calls it again with the cursor, and it resumes from the checkpoint.
// No estimate has to be right: the loop stops when the time left would not fit its longest step so far.
import { resumePoint, writeCheckpoint, type Cursor } from './checkpoint';
import type { Deadline } from './deadline';

export type LoopResult<R> = { done: false; cursor: Cursor } | { done: true; cursor: Cursor; result: R };

/**
 * One invocation's span: the checkpoint it resumed from (seq 0: the initial state) and the last one it
 * saved, with their states. Not always the cursor it was called with: an invocation that died after a
 * checkpoint leaves its retry resuming from that later one.
 */
export interface LoopTurn<S> {
  from: { seq: number; state: S };
  to: { seq: number; state: S };
}

/** The turn with what `view` takes from each of its two states. */
export function mapTurn<S, T>(turn: LoopTurn<S>, view: (state: S) => T): LoopTurn<T> {
  return { from: { seq: turn.from.seq, state: view(turn.from.state) }, to: { seq: turn.to.seq, state: view(turn.to.state) } };
}

export interface TimeBoxedLoop<S, R> {
  deadline: Deadline;
  /** Where this loop's checkpoint lives (deterministic per job and task). */
  checkpointKey: string;
  /** From the event: null or absent on the first invocation. */
  cursor: Cursor | null | undefined;
  /** Validates a checkpoint's state as read back from S3. */
  parseState(raw: unknown): S;
  /** The state before the first step. */
  initial(): S | Promise<S>;
  /** One bounded piece of work; must be much shorter than the deadline's margin. Returns the next state. */
  step(state: S): Promise<S>;
  finished(state: S): boolean;
  /** The loop's result once finished (run again if the finishing invocation is retried: keep it idempotent). */
  finish(state: S): R | Promise<R>;
  /** Checkpoint at least this often even with time left, bounding the work a crash loses. Default 60 s. */
  checkpointEveryMs?: number;
  /**
   * Work a step keeps in memory (partial aggregates, a batch of output rows) is written here before each
   * checkpoint, at keys named by the checkpoint's `seq`; it returns the state that refers to what it wrote.
   * A retry that redoes the steps since the last checkpoint writes the same keys again.
   */
  persist?(state: S, seq: number): Promise<S>;
  /** Checkpoint now, time left or not: what the steps hold in memory has grown too big. */
  mustSave?(state: S): boolean;
  /** Told the turn's span once its last checkpoint is saved (per-turn figures: handlers/lib/turn-figures.ts). */
  onTurn?(turn: LoopTurn<S>): void;
}

const DEFAULT_CHECKPOINT_EVERY_MS = 60_000;

export async function runTimeBoxedLoop<S, R>(loop: TimeBoxedLoop<S, R>): Promise<LoopResult<R>> {
  const resumed = await resumePoint(loop.checkpointKey, loop.cursor, (raw) => loop.parseState(raw));
  let seq = resumed?.seq ?? 0;
  let state = resumed ? resumed.state : await loop.initial();
  let dirty = !resumed;
  const from = { seq, state };
  // Durations are read off the deadline's clock (Lambda's remaining time), the one that decides.
  const left = () => loop.deadline.remainingMs();
  let longestStepMs = 0;
  // The last save must fit too: persisting what the steps hold can take longer than a step.
  let longestSaveMs = 0;
  let steps = 0;
  let leftAtLastSave = left();
  const save = async () => {
    if (!dirty) return;
    const before = left();
    seq += 1;
    if (loop.persist) state = await loop.persist(state, seq);
    await writeCheckpoint(loop.checkpointKey, seq, state);
    dirty = false;
    leftAtLastSave = left();
    longestSaveMs = Math.max(longestSaveMs, before - leftAtLastSave);
  };

  while (!loop.finished(state)) {
    // The next step must fit in what is left, judged by the longest one so far. Every invocation takes
    // at least one step, or a budget spent before the first would loop the state machine forever.
    if (steps > 0 && (left() <= longestStepMs + longestSaveMs || loop.deadline.passed())) {
      await save();
      loop.onTurn?.({ from, to: { seq, state } });
      return { done: false, cursor: { seq } };
    }
    const before = left();
    state = await loop.step(state);
    dirty = true;
    steps += 1;
    longestStepMs = Math.max(longestStepMs, before - left());
    if (leftAtLastSave - left() >= (loop.checkpointEveryMs ?? DEFAULT_CHECKPOINT_EVERY_MS) || loop.mustSave?.(state)) await save();
  }
  await save();
  loop.onTurn?.({ from, to: { seq, state } });
  return { done: true, cursor: { seq }, result: await loop.finish(state) };
}
