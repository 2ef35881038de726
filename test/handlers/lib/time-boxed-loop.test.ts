// The time-boxing contract against real local S3, on a clock the test drives (each step "takes" the
// time it says), so what is checked does not depend on the machine's speed.
import { expect } from 'chai';
import { writeCheckpoint } from '../../../handlers/lib/checkpoint';
import { deadlineOf } from '../../../handlers/lib/deadline';
import { putJson } from '../../../handlers/lib/s3';
import { runTimeBoxedLoop, type LoopResult } from '../../../handlers/lib/time-boxed-loop';
import type { Cursor } from '../../../handlers/lib/checkpoint';
import { rejection } from '../../support/rejection';
import { useLocalServices } from '../../support/services';

interface Sum {
  next: number;
  sum: number;
}

const NUMBERS = Array.from({ length: 50 }, (_, i) => (i * 7919) % 1000);
const EXPECTED = NUMBERS.reduce((a, b) => a + b, 0);

/**
 * One invocation of a summing handler with a Lambda timeout of `timeoutMs`, every step taking `stepMs`
 * on the invocation's clock. Records which item each step processed and the time left when it returned.
 */
async function invoke(key: string, cursor: Cursor | null, opts: { timeoutMs: number; stepMs: number; processed: number[]; failAfterSteps?: number }) {
  let elapsed = 0;
  const context = { getRemainingTimeInMillis: () => Math.max(0, opts.timeoutMs - elapsed) };
  let steps = 0;
  const result: LoopResult<Sum> = await runTimeBoxedLoop<Sum, Sum>({
    deadline: deadlineOf(context),
    checkpointKey: key,
    cursor,
    parseState: (raw) => raw as Sum,
    initial: () => ({ next: 0, sum: 0 }),
    step: async (s) => {
      if (opts.failAfterSteps !== undefined && steps === opts.failAfterSteps) throw new Error('worker died');
      steps += 1;
      elapsed += opts.stepMs;
      opts.processed.push(s.next);
      return { next: s.next + 1, sum: s.sum + NUMBERS[s.next]! };
    },
    finished: (s) => s.next >= NUMBERS.length,
    finish: (s) => s,
  });
  return { result, leftMs: context.getRemainingTimeInMillis() };
}

describe('handlers/lib/time-boxed-loop (against s3rver)', () => {
  useLocalServices();

  it('returns { done: false, cursor } before the timeout and resumes from the cursor, each item once, until done', async () => {
    const key = 'jobs/tb-1/work/sum/checkpoint.json';
    const processed: number[] = [];
    const turns: { done: boolean; leftMs: number }[] = [];
    let cursor: Cursor | null = null;
    let final: Sum | undefined;
    for (let turn = 0; turn < 20 && final === undefined; turn++) {
      const { result, leftMs } = await invoke(key, cursor, { timeoutMs: 1_000, stepMs: 60, processed });
      turns.push({ done: result.done, leftMs });
      cursor = result.cursor;
      if (result.done) final = result.result;
    }
    // 800 ms of budget, 60 ms steps: several invocations, every one ending with time to spare.
    expect(turns.length).to.be.within(3, 6);
    for (const t of turns) expect(t.leftMs, JSON.stringify(turns)).to.be.greaterThan(0);
    expect(turns.slice(0, -1).every((t) => !t.done)).to.equal(true);
    expect(processed).to.deep.equal(NUMBERS.map((_, i) => i));
    expect(final).to.deep.equal({ next: NUMBERS.length, sum: EXPECTED });
  });

  it('stops early when the next step would not fit, judged by the longest step so far', async () => {
    const key = 'jobs/tb-2/work/sum/checkpoint.json';
    const processed: number[] = [];
    // 1000 ms timeout, 200 ms margin: 800 ms of budget fits three 250 ms steps but not a fourth.
    const { result, leftMs } = await invoke(key, null, { timeoutMs: 1_000, stepMs: 250, processed });
    expect(result.done).to.equal(false);
    expect(processed).to.deep.equal([0, 1, 2]);
    expect(leftMs).to.equal(250);
  });

  it('resumes from a checkpoint ahead of the cursor (an invocation that died after saving): no item is done twice', async () => {
    const key = 'jobs/tb-3/work/sum/checkpoint.json';
    const processed: number[] = [];
    const first = await invoke(key, null, { timeoutMs: 1_000, stepMs: 100, processed });
    const second = await invoke(key, first.result.cursor, { timeoutMs: 1_000, stepMs: 100, processed });
    // Its response was lost: the state machine retries it with the cursor it had.
    const retried = await invoke(key, first.result.cursor, { timeoutMs: 1_000, stepMs: 100, processed });
    expect(retried.result.cursor.seq).to.be.greaterThan(second.result.cursor.seq);
    expect(new Set(processed).size).to.equal(processed.length);
    expect(processed).to.deep.equal(processed.map((_, i) => i));
  });

  it('after a crash mid-invocation the retry starts from the last checkpoint, and the sum is still exact', async () => {
    const key = 'jobs/tb-4/work/sum/checkpoint.json';
    const processed: number[] = [];
    const first = await invoke(key, null, { timeoutMs: 1_000, stepMs: 100, processed });
    const crash = await rejection(invoke(key, first.result.cursor, { timeoutMs: 1_000, stepMs: 100, processed, failAfterSteps: 3 }));
    expect(crash.message).to.equal('worker died');
    let cursor = first.result.cursor;
    let final: Sum | undefined;
    while (final === undefined) {
      const { result } = await invoke(key, cursor, { timeoutMs: 1_000, stepMs: 100, processed });
      cursor = result.cursor;
      if (result.done) final = result.result;
    }
    expect(final.sum).to.equal(EXPECTED);
    // The three steps of the crashed invocation were lost with it and done again; nothing else twice.
    const counts = new Map<number, number>();
    for (const i of processed) counts.set(i, (counts.get(i) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([i]) => i);
    expect(twice).to.have.lengthOf(3);
    expect(counts.size).to.equal(NUMBERS.length);
  });

  it('a finished loop retried with its last cursor returns the same result without another step', async () => {
    const key = 'jobs/tb-5/work/sum/checkpoint.json';
    const processed: number[] = [];
    let cursor: Cursor | null = null;
    let before: Cursor | null = null;
    let done: LoopResult<Sum> | undefined;
    while (!done?.done) {
      before = cursor;
      done = (await invoke(key, cursor, { timeoutMs: 60_000, stepMs: 1, processed })).result;
      cursor = done.cursor;
    }
    const steps = processed.length;
    const again = await invoke(key, before, { timeoutMs: 60_000, stepMs: 1, processed });
    expect(again.result).to.deep.equal(done);
    expect(processed.length).to.equal(steps);
  });

  it('persists what steps hold in memory before each checkpoint, under the checkpoint\'s seq, and saves when told to', async () => {
    const key = 'jobs/tb-7/work/sum/checkpoint.json';
    const persisted: { seq: number; items: number[] }[] = [];
    let buffer: number[] = [];
    const run = (cursor: Cursor | null) =>
      runTimeBoxedLoop<{ next: number; flushed: number[] }, number>({
        deadline: deadlineOf({ getRemainingTimeInMillis: () => 60_000 }),
        checkpointKey: key,
        cursor,
        parseState: (raw) => raw as { next: number; flushed: number[] },
        initial: () => ({ next: 0, flushed: [] }),
        step: async (s) => {
          buffer.push(s.next);
          return { ...s, next: s.next + 1 };
        },
        finished: (s) => s.next >= 10,
        finish: (s) => s.flushed.length,
        mustSave: () => buffer.length >= 4,
        persist: async (s, seq) => {
          persisted.push({ seq, items: buffer });
          buffer = [];
          return { ...s, flushed: [...s.flushed, seq] };
        },
      });
    const result = await run(null);
    // Saved after 4 and 8 items, and at the end: each persist ran first, under the seq its checkpoint got.
    expect(persisted).to.deep.equal([
      { seq: 1, items: [0, 1, 2, 3] },
      { seq: 2, items: [4, 5, 6, 7] },
      { seq: 3, items: [8, 9] },
    ]);
    expect(result).to.deep.equal({ done: true, cursor: { seq: 3 }, result: 3 });
  });

  it('refuses a cursor whose checkpoint is gone or behind it (InputNotFound naming the key)', async () => {
    const key = 'jobs/tb-6/work/sum/checkpoint.json';
    const missing = await rejection(invoke(key, { seq: 2 }, { timeoutMs: 1_000, stepMs: 100, processed: [] }));
    expect(missing.name).to.equal('InputNotFound');
    expect(missing.message).to.contain(key).and.contain('missing');
    await writeCheckpoint(key, 1, { next: 3, sum: 0 });
    const behind = await rejection(invoke(key, { seq: 2 }, { timeoutMs: 1_000, stepMs: 100, processed: [] }));
    expect(behind.name).to.equal('InputNotFound');
    expect(behind.message).to.contain('at 1').and.contain('cursor says 2');
    await putJson(key, { hello: 'world' });
    expect((await rejection(invoke(key, null, { timeoutMs: 1_000, stepMs: 100, processed: [] }))).name).to.equal('InternalError');
  });
});
