// Where progress.ts counts a job's done units, so that each task counts once at any number of tasks.
//
// Counting once needs the counter and the record of what it counted in ONE item (dynalite has no
// transactions, so every write is a single-item conditional update), and DynamoDB caps an item at
// 400 KB. So a job's count is spread over COUNTER_SHARDS counter items (sk "COUNT#<nnnn>"), chosen by
// a hash of the task id; each holds `doneUnits` and `countedTasks`, the set of its tasks' digests.
// - A digest, not the id: 16 bytes of SHA-256 (22 base64url characters) whatever the id's length (up
//   to 512 characters), so an item's size depends on its number of tasks only. Two of a job's n tasks
//   share a digest (the second would then never count) with probability about n²/2^139 (128 bits,
//   plus the 10 that pick the counter): 1e-30 for a million tasks.
// - 1024 counters: at 1,000,000 tasks a counter holds ~980 digests, ~22 KB (~24 KB for the fullest),
//   a sixteenth of the limit. A counter is full at COUNTER_CAPACITY (18,571) digests, so a job counts
//   up to MAX_TASKS_PER_JOB, ~18 million tasks; past that DynamoDB refuses the write and progress.ts
//   throws InternalError saying so. A count write costs 1 WCU per KB of its counter (2-3 WCU at
//   100,000 tasks, ~12 on average at a million); more counters would make it cheaper, but add ~100
//   bytes of keys and timestamps per counter to every getJob, which reads them all (DynamoDB bills
//   the whole items, sets included: ~22 bytes a counted task, 2.2 MB at 100,000 tasks).
// - The hash and the number of counters are part of the stored layout: changing either would count
//   the tasks of a running job a second time.
// - Named figures (rows read, rows rejected: progress.ts's addJobFigures) are counted the same way, once
//   per contribution id: a contribution's digest joins the same sets, hashed with a leading 0xFF byte,
//   which no UTF-8 task id starts with, so a contribution never passes for a task. Each contribution
//   takes a digest's room like a task. A counter's figures are one map of at most MAX_FIGURES names of
//   at most 32 characters (~0.5 KB), inside COUNTER_OVERHEAD_BYTES.
import { createHash } from 'node:crypto';
import { progressTable } from './storage-layout';

export const COUNTER_SHARDS = 1024;

/** DynamoDB's item size limit (attribute names plus values, in UTF-8 bytes); dynalite enforces it too. */
export const ITEM_LIMIT_BYTES = 400 * 1024;

const DIGEST_BYTES = 16;
const MEMBER_LENGTH = Math.ceil((DIGEST_BYTES * 4) / 3); // base64url, unpadded: 22
/** Room for a counter's keys and other attributes (pk up to 132 bytes; sk, doneUnits, updatedAt, expiresAt, figures). */
const COUNTER_OVERHEAD_BYTES = 1024;

/** Digests a counter item holds before it reaches ITEM_LIMIT_BYTES. */
export const COUNTER_CAPACITY = Math.floor((ITEM_LIMIT_BYTES - COUNTER_OVERHEAD_BYTES) / MEMBER_LENGTH);

/**
 * About how many tasks a job can count (18.3 million): the job size m × COUNTER_SHARDS at which a
 * counter 5 standard deviations fuller than the mean m (a counter's load is binomial, σ ≈ √m; the
 * fullest of 1024 is typically ~3.2σ above) reaches COUNTER_CAPACITY: m + 5√m = capacity.
 */
export const MAX_TASKS_PER_JOB = Math.floor(COUNTER_SHARDS * ((Math.sqrt(25 + 4 * COUNTER_CAPACITY) - 5) / 2) ** 2);

/** The prefix every counter item's sort key starts with. */
export const COUNTER_SK_PREFIX = progressTable.countSk('');

/** Figures one contribution may name (a pipeline declares a handful, the same for all its contributions), and a name's form. */
export const MAX_FIGURES = 8;
export const FIGURE_NAME = /^[A-Za-z][A-Za-z0-9]{0,31}$/;

/** The counter item that counts the task (its sort key), and the member that stands for the task in its set. */
export function counterOf(taskId: string): { sk: string; member: string } {
  return counterOfHash(createHash('sha256').update(taskId, 'utf8').digest());
}

/** The counter item and member of a figures contribution: never those of a task (see the 0xFF above). */
export function contributionCounterOf(contributionId: string): { sk: string; member: string } {
  return counterOfHash(createHash('sha256').update(Buffer.of(0xff)).update(contributionId, 'utf8').digest());
}

function counterOfHash(hash: Buffer): { sk: string; member: string } {
  const shard = hash.readUInt16BE(DIGEST_BYTES) % COUNTER_SHARDS;
  return {
    sk: progressTable.countSk(String(shard).padStart(String(COUNTER_SHARDS - 1).length, '0')),
    member: hash.subarray(0, DIGEST_BYTES).toString('base64url'),
  };
}

/** Tasks grouped by the counter item that counts them (sort key → the tasks' members and units). */
export function groupByCounter(tasks: readonly { taskId: string; units?: number }[]): Map<string, { member: string; units: number }[]> {
  const groups = new Map<string, { member: string; units: number }[]>();
  for (const task of tasks) {
    const { sk, member } = counterOf(task.taskId);
    const group = groups.get(sk) ?? [];
    group.push({ member, units: task.units ?? 0 });
    groups.set(sk, group);
  }
  return groups;
}

/** True for DynamoDB's (and dynalite's) refusal of a write that would take an item past ITEM_LIMIT_BYTES. */
export function isItemTooLarge(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown } | null;
  return e?.name === 'ValidationException' && typeof e.message === 'string' && /exceeded the maximum allowed size/i.test(e.message);
}
