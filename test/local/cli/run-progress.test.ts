// `longhaul run`'s live progress printer on a fake stream and a fake clock: units counted from the
// progress table (not from invocations, which may be one turn of many), the pipeline's live figures with
// their rate, and plain lines off a terminal at most one figures line every few seconds.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { etlPipeline } from '../../../handlers/etl/pipeline';
import type { JobRecord } from '../../../handlers/lib/progress';
import { videoPipeline } from '../../../handlers/video/pipeline';
import { FIGURES_EVERY_MS, progressPrinter } from '../../../local/cli/run-progress';
import type { JobEvent } from '../../../local/run/job-runner';

function fakeStream(isTTY: boolean): Writable & { isTTY: boolean; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { isTTY, text: () => chunks.join('') });
}

const job = (fields: Partial<JobRecord>): JobRecord => ({
  jobId: 'j',
  status: 'RUNNING',
  step: 'plan',
  doneUnits: 0,
  totalUnits: 0,
  startedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  figures: {},
  ...fields,
});

/** Events at the times given (ms on the fake clock), then finish. */
function replay(isTTY: boolean, pipeline = etlPipeline, timeline: [number, JobEvent][]): string {
  const stream = fakeStream(isTTY);
  let clock = 0;
  const printer = progressPrinter(pipeline, stream, () => clock);
  for (const [at, event] of timeline) {
    clock = at;
    printer.onEvent(event);
  }
  printer.finish();
  return stream.text();
}

const turn: JobEvent = { kind: 'task', functionName: 'EtlTransform', ok: true, durationMs: 2_400 };
const progress = (fields: Partial<JobRecord>): JobEvent => ({ kind: 'progress', job: job(fields) });

// An ETL job of 4 partitions: the transform step seen at 10 s; its first partition takes three turns.
const etlRun: [number, JobEvent][] = [
  [0, progress({ step: 'plan', totalUnits: 4 })],
  [10_000, progress({ step: 'transform', totalUnits: 4 })],
  [12_000, turn],
  [12_500, progress({ step: 'transform', totalUnits: 4, figures: { rowsIn: 20_000, rowsRejected: 1 } })],
  [13_000, turn],
  [13_500, progress({ step: 'transform', totalUnits: 4, figures: { rowsIn: 30_000, rowsRejected: 1 } })],
  [14_000, turn],
  [14_500, progress({ step: 'transform', totalUnits: 4, doneUnits: 1, figures: { rowsIn: 40_000, rowsRejected: 3 } })],
  [16_000, progress({ step: 'transform', totalUnits: 4, doneUnits: 1, figures: { rowsIn: 40_000, rowsRejected: 3 } })],
  [20_000, progress({ step: 'transform', totalUnits: 4, doneUnits: 4, figures: { rowsIn: 100_000, rowsRejected: 7 } })],
  [21_000, progress({ step: 'reduce', totalUnits: 4, doneUnits: 4, figures: { rowsIn: 100_000, rowsRejected: 7 } })],
];

describe('local/cli/run-progress', () => {
  it('counts units from the progress table, not from invocations of the unit\'s function', () => {
    const out = replay(false, etlPipeline, etlRun);
    expect(out.match(/EtlTransform done in 2\.4 s/g)).to.have.length(3);
    expect(out).to.include('  partition 1/4 done\n').and.include('  partition 4/4 done\n');
    expect(out).to.not.include('partition 2/4').and.not.include('partition 3/4');
  });

  it('off a terminal, prints the figures as plain lines, at most one every few seconds, and the last at the end', () => {
    const out = replay(false, etlPipeline, etlRun);
    expect(out).to.not.include('\r').and.not.include('\x1b');
    const lines = out.split('\n').filter((line) => line.includes(' rows'));
    // Rates over the transform step, from 10 s: 20,000 rows in 2.5 s; 100,000 in 10 s.
    expect(lines).to.deep.equal([
      '  transform: partitions 0/4, 20,000 rows (8,000 rows/s), 1 rejects',
      // 30,000 at 13.5 s and 40,000 at 14.5 s fall within FIGURES_EVERY_MS of the line before.
      '  transform: partitions 4/4, 100,000 rows (10,000 rows/s), 7 rejects',
    ]);
    expect(FIGURES_EVERY_MS).to.be.within(2_000, 10_000);
    // Nothing new since: finish adds no line; a change left unprinted is printed at the end.
    const cut = replay(false, etlPipeline, etlRun.slice(0, 7));
    expect(cut.split('\n').filter((line) => line.includes(' rows')).at(-1)).to.equal('  transform: partitions 0/4, 30,000 rows (8,571 rows/s), 1 rejects');
  });

  it('on a terminal, keeps the figures in the live line, rewritten in place, with the rate frozen once they stop growing', () => {
    const out = replay(true, etlPipeline, etlRun);
    const live = out.split('\r\x1b[2K').filter((part) => part.startsWith('  ') && !part.includes('\n'));
    expect(live).to.include('  transform: partitions 1/4, 40,000 rows (8,889 rows/s), 3 rejects');
    expect(live.at(-1)).to.equal('  reduce: partitions 4/4, 100,000 rows (10,000 rows/s), 7 rejects');
    // No figures lines of their own on a terminal: the printed lines are the ones ended by a newline.
    const printed = out.split('\r\x1b[2K').filter((part) => part.includes('\n')).map((part) => part.split('\n')[0]);
    expect(printed).to.include('  partition 1/4 done');
    expect(printed.filter((line) => line!.includes(' rows'))).to.deep.equal([]);
  });

  it('shows no figures for a pipeline that declares none', () => {
    const out = replay(true, videoPipeline, [
      [0, progress({ step: 'transcode', totalUnits: 3, doneUnits: 1, figures: { rowsIn: 5 } })],
    ]);
    expect(out).to.include('  transcode: chunks 1/3').and.not.include('rows');
  });
});
