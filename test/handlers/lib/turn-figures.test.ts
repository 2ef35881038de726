// A time-boxed task's per-turn figures against real local S3 (checkpoints) and DynamoDB (the progress
// table), on a clock the test drives: the job's figures are live after each turn, and exactly the task's
// final counts once it is done, whichever way its invocations die and are retried.
import { expect } from 'chai';
import { deadlineOf } from '../../../handlers/lib/deadline';
import { addJobFigures, getJob, startJob } from '../../../handlers/lib/progress';
import { mapTurn, runTimeBoxedLoop, type LoopTurn } from '../../../handlers/lib/time-boxed-loop';
import { addTurnFigures, turnContributionId, type FiguresCursor } from '../../../handlers/lib/turn-figures';
import { useLocalServices } from '../../support/services';

interface Tally {
  next: number;
  odd: number;
}

const ITEMS = Array.from({ length: 60 }, (_, i) => (i * 7919) % 1000);
const ODD = ITEMS.filter((n) => n % 2 === 1).length;

type Death = 'none' | 'mid-turn, after a checkpoint' | 'after the checkpoint, before the figures' | 'between two figure writes' | 'after the figures';

/**
 * One invocation: a 1 s Lambda whose steps take 60 ms each (about 13 steps a turn), checkpointing every
 * 300 ms, dying where told. Returns the next cursor, or throws as the invocation dies.
 */
async function invoke(jobId: string, cursor: FiguresCursor | null, death: Death): Promise<{ done: boolean; cursor: FiguresCursor }> {
  let elapsed = 0;
  const context = { getRemainingTimeInMillis: () => Math.max(0, 1_000 - elapsed) };
  const seen: { turn?: LoopTurn<Tally> } = {};
  let steps = 0;
  const loop = await runTimeBoxedLoop<Tally, Tally>({
    deadline: deadlineOf(context),
    checkpointKey: `jobs/${jobId}/work/tally/checkpoint.json`,
    cursor,
    checkpointEveryMs: 300,
    parseState: (raw) => raw as Tally,
    initial: () => ({ next: 0, odd: 0 }),
    step: async (s) => {
      // Past the first checkpoint of the turn (300 ms = 5 steps), before its end.
      if (death === 'mid-turn, after a checkpoint' && steps === 7) throw new Error('worker died');
      steps += 1;
      elapsed += 60;
      return { next: s.next + 1, odd: s.odd + (ITEMS[s.next]! % 2) };
    },
    finished: (s) => s.next >= ITEMS.length,
    finish: (s) => s,
    onTurn: (turn) => (seen.turn = turn),
  });
  if (death === 'after the checkpoint, before the figures') throw new Error('figure write failed');
  // Killed (its timeout) after one contribution was written, should the turn write a second.
  let writes = 0;
  const add: typeof addJobFigures = async (...args) => {
    if (death === 'between two figure writes' && writes++ === 1) throw new Error('Sandbox.Timedout');
    return addJobFigures(...args);
  };
  const next = await addTurnFigures(jobId, 'tally', cursor, mapTurn(seen.turn!, (s) => ({ rowsIn: s.next, rowsOdd: s.odd })), add);
  if (death === 'after the figures') throw new Error('response lost');
  return { done: loop.done, cursor: next };
}

/** The state machine's loop: a turn that fails is retried with the same cursor. `deaths` are taken one per invocation. */
async function runTask(jobId: string, deaths: Death[]): Promise<{ invocations: number; liveAfterEachTurn: number[] }> {
  await startJob(jobId, { step: 'tally', totalUnits: 1 });
  let cursor: FiguresCursor | null = null;
  const liveAfterEachTurn: number[] = [];
  for (let invocations = 1; invocations < 50; invocations++) {
    try {
      const out = await invoke(jobId, cursor, deaths.shift() ?? 'none');
      cursor = out.cursor;
      liveAfterEachTurn.push((await getJob(jobId))!.figures.rowsIn ?? 0);
      if (out.done) return { invocations, liveAfterEachTurn };
    } catch {
      // retried with the same cursor
    }
  }
  throw new Error('the task never finished');
}

describe('handlers/lib/turn-figures (against s3rver and dynalite)', () => {
  useLocalServices();

  it('adds each turn\'s figures as it ends: live while the task runs, exactly its counts once done', async () => {
    const { invocations, liveAfterEachTurn } = await runTask('tf-plain', []);
    expect(invocations).to.be.at.least(4);
    // Live: more after every turn, the total only at the end.
    expect(liveAfterEachTurn[0]).to.be.above(0);
    for (let i = 1; i < liveAfterEachTurn.length; i++) expect(liveAfterEachTurn[i]).to.be.above(liveAfterEachTurn[i - 1]!);
    expect((await getJob('tf-plain'))!.figures).to.deep.equal({ rowsIn: ITEMS.length, rowsOdd: ODD });
  });

  for (const deaths of [
    ['after the checkpoint, before the figures'],
    ['none', 'mid-turn, after a checkpoint'],
    ['none', 'after the figures'],
    ['after the checkpoint, before the figures', 'after the checkpoint, before the figures', 'none', 'after the figures'],
    ['none', 'mid-turn, after a checkpoint', 'mid-turn, after a checkpoint', 'after the figures', 'none', 'after the checkpoint, before the figures'],
    // A turn killed before its figures, then its retry killed as it writes them (both at their deadline, on a loaded machine).
    ['none', 'after the checkpoint, before the figures', 'between two figure writes'],
    ['after the checkpoint, before the figures', 'between two figure writes', 'between two figure writes', 'after the checkpoint, before the figures', 'between two figure writes'],
  ] as Death[][]) {
    it(`counts every item once when invocations die: ${deaths.join('; ')}`, async () => {
      const jobId = `tf-${deaths.map((d) => d.split(/\W/)[0]).join('-')}-${deaths.length}`;
      const { invocations } = await runTask(jobId, [...deaths]);
      // Each death costs an invocation; one between two writes only where a turn writes twice.
      expect(invocations).to.be.above(deaths.filter((d) => d !== 'between two figure writes').length);
      expect((await getJob(jobId))!.figures).to.deep.equal({ rowsIn: ITEMS.length, rowsOdd: ODD });
    });
  }

  it('names a span by the checkpoint it starts from, so a retried turn writes the same name', async () => {
    const jobId = 'tf-names';
    await startJob(jobId, { step: 'tally', totalUnits: 1 });
    const first = await invoke(jobId, null, 'none');
    // What the first turn added under seq 0 is taken; a retry of that turn would add nothing more.
    expect(await addJobFigures(jobId, turnContributionId('tally', 0), { rowsIn: 1 })).to.equal(false);
    expect(await addJobFigures(jobId, turnContributionId('tally', first.cursor.seq), { rowsIn: 0 })).to.equal(true);
    expect(first.cursor.figures).to.deep.equal((await getJob(jobId))!.figures);
  });
});
