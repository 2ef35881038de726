// A loop's saved state in S3. One PUT per checkpoint, so a reader sees a whole checkpoint or the one
// before, never half of one; written last, after whatever outputs the state refers to.
import { InputNotFound, InternalError } from './errors';
import { getJson, putJson } from './s3';

export interface Checkpoint<S> {
  /** 1 for the first checkpoint, one more for each after it: how a cursor names a checkpoint. */
  seq: number;
  savedAt: string;
  state: S;
}

/** What the state machine carries between invocations of a time-boxed task: which checkpoint to resume. */
export interface Cursor {
  seq: number;
}

export async function writeCheckpoint<S>(key: string, seq: number, state: S): Promise<Checkpoint<S>> {
  const checkpoint: Checkpoint<S> = { seq, savedAt: new Date().toISOString(), state };
  await putJson(key, checkpoint);
  return checkpoint;
}

/** The checkpoint at `key`, or undefined when none was written yet. */
export async function readCheckpoint<S>(key: string, parseState: (raw: unknown) => S): Promise<Checkpoint<S> | undefined> {
  let raw: { seq?: unknown; savedAt?: unknown; state?: unknown };
  try {
    raw = await getJson(key);
  } catch (err) {
    if (err instanceof InputNotFound) return undefined;
    throw err;
  }
  if (typeof raw?.seq !== 'number' || !Number.isInteger(raw.seq) || raw.seq < 1 || typeof raw.savedAt !== 'string') {
    throw new InternalError(`Object ${key} is not a checkpoint`, { key });
  }
  return { seq: raw.seq, savedAt: raw.savedAt, state: parseState(raw.state) };
}

/**
 * The checkpoint to resume from, given the cursor the state machine passed in (none on the first
 * invocation). A checkpoint ahead of the cursor is newer work whose invocation died before returning:
 * resume from it, so nothing is done twice. One behind it, or none at all, means it was lost.
 */
export async function resumePoint<S>(key: string, cursor: Cursor | null | undefined, parseState: (raw: unknown) => S): Promise<Checkpoint<S> | undefined> {
  const checkpoint = await readCheckpoint(key, parseState);
  if (!cursor) return checkpoint;
  if (!checkpoint || checkpoint.seq < cursor.seq) {
    throw new InputNotFound(
      `Checkpoint ${key} is ${checkpoint ? `at ${checkpoint.seq}` : 'missing'} but the cursor says ${cursor.seq}: it was deleted or expired; restart the job under a new jobId`,
      { key },
    );
  }
  return checkpoint;
}
