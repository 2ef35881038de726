// The watch view as a pure function of a snapshot: bars, elapsed time against the timeout, retries,
// errors, the terminal width, and the log's lines that print only what changed.
import { expect } from 'chai';
import {
  fitWidth,
  formatDuration,
  newPlainLines,
  plainLines,
  progressBar,
  redraw,
  renderFrame,
  type WatchSnapshot,
} from '../../../local/operate/watch-render';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const sec = (s: number) => T0 + s * 1000;

/** A video-like execution 16 minutes in: two steps done, a Map half-way, one task near its wall. */
function snapshot(over: Partial<WatchSnapshot> = {}): WatchSnapshot {
  return {
    at: sec(1000),
    execution: { arn: 'arn:aws:states:us-east-1:000000000000:execution:longhaul-dev-video:demo-1', name: 'demo-1', stateMachine: 'longhaul-dev-video', status: 'RUNNING', startedAt: sec(0) },
    job: { jobId: 'demo-1', status: 'RUNNING', step: 'transcode', doneUnits: 3, totalUnits: 12, figures: {} },
    steps: [
      { name: 'Probe', status: 'SUCCEEDED', startedAt: sec(0), endedAt: sec(2.5) },
      { name: 'Split', status: 'SUCCEEDED', startedAt: sec(2.5), endedAt: sec(64.5) },
      { name: 'TranscodeChunks', status: 'RUNNING', startedAt: sec(64.5), items: { total: 12, succeeded: 3, failed: 1, running: 2 } },
    ],
    running: [
      { state: 'TranscodeChunk', functionName: 'longhaul-dev-video-transcode-chunk', item: 4, attempt: 1, startedAt: sec(1000 - 300), timeoutSeconds: 900 },
      { state: 'TranscodeChunk', functionName: 'longhaul-dev-video-transcode-chunk', item: 7, attempt: 2, startedAt: sec(1000 - 765), timeoutSeconds: 900 },
    ],
    retries: 1,
    errors: [{ state: 'TranscodeChunk', functionName: 'longhaul-dev-video-transcode-chunk', item: 7, attempt: 1, error: 'Sandbox.Timedout', cause: '{\n  "errorMessage": "Task timed out after 900.00 seconds"\n}' }],
    ...over,
  };
}

describe('watch rendering', () => {
  it('formats durations as seconds, minutes and hours', () => {
    expect(formatDuration(4_249)).to.equal('4.2s');
    expect(formatDuration(62_000)).to.equal('1m02s');
    expect(formatDuration(3 * 3600_000 + 5 * 60_000 + 59_000)).to.equal('3h05m');
  });

  it('fills a bar in proportion, clamped', () => {
    expect(progressBar(3 / 12, 12)).to.equal(`[${'█'.repeat(3)}${'░'.repeat(9)}]`);
    expect(progressBar(1.5, 4)).to.equal('[████]');
    expect(progressBar(Number.NaN, 4)).to.equal('[░░░░]');
  });

  it('shows the job bar from the progress record and a Map step with its items', () => {
    const frame = renderFrame(snapshot(), 120);
    const bar = 30; // 120 / 4
    expect(frame[0]).to.equal('demo-1 (longhaul-dev-video)  RUNNING  16m40s');
    expect(frame[1]).to.equal(`job demo-1  transcode  [${'█'.repeat(8)}${'░'.repeat(22)}] 3/12 units`); // 3/12 of 30 = 7.5, rounded
    expect(frame).to.include('  ✓ Probe            2.5s');
    expect(frame).to.include('  ✓ Split            1m02s');
    const map = frame.find((l) => l.includes('TranscodeChunks'))!;
    expect(map).to.equal(`  ▸ TranscodeChunks  [${'█'.repeat(8)}${'░'.repeat(bar - 8)}] 3/12 items, 2 running, 1 failed  15m35s`);
  });

  it('shows running tasks against their timeout, nearest the wall first, flagged past 80%', () => {
    const frame = renderFrame(snapshot(), 120);
    const header = frame.indexOf('running tasks: 2');
    expect(header).to.be.above(0);
    // Item 7 (765 s of 900 = 85%) before item 4 (300 s = 33%).
    expect(frame[header + 1]).to.equal(` ! [${'█'.repeat(26)}${'░'.repeat(4)}] 12m45s / 15m00s 85%  TranscodeChunk[7] retry 1  longhaul-dev-video-transcode-chunk`);
    expect(frame[header + 2]).to.equal(`   [${'█'.repeat(10)}${'░'.repeat(20)}] 5m00s / 15m00s 33%  TranscodeChunk[4] attempt 1  longhaul-dev-video-transcode-chunk`);
  });

  it('a task without a known timeout shows its elapsed time alone', () => {
    const frame = renderFrame(snapshot({ running: [{ state: 'Wait', attempt: 1, startedAt: sec(990) }] }), 120);
    expect(frame).to.include('   10.0s  Wait attempt 1');
  });

  it('counts retries and shows errors with their cause on one line', () => {
    const frame = renderFrame(snapshot(), 200);
    expect(frame).to.include('retries: 1');
    expect(frame).to.include('errors: 1');
    expect(frame).to.include('  TranscodeChunk[7] attempt 1: Sandbox.Timedout: { "errorMessage": "Task timed out after 900.00 seconds" }');
  });

  it('keeps only the last errors, saying how many are left out', () => {
    const errors = Array.from({ length: 8 }, (_, i) => ({ state: 'Work', item: i, attempt: 1, error: `E${i}` }));
    const frame = renderFrame(snapshot({ errors }), 120);
    expect(frame).to.include('  … 3 earlier');
    expect(frame.filter((l) => /^ {2}Work\[\d\]/.test(l)).map((l) => l.split(': ')[1])).to.deep.equal(['E3', 'E4', 'E5', 'E6', 'E7']);
  });

  it('fits every line to the terminal width, and narrows the bars with it', () => {
    const narrow = renderFrame(snapshot(), 50);
    for (const line of narrow) expect([...line].length, line).to.be.at.most(50);
    expect(narrow.find((l) => l.includes('… ') || l.endsWith('…'))).to.not.equal(undefined);
    // 50 / 4 = 12 cells, at least 10.
    expect(narrow[1]).to.contain(`[${'█'.repeat(3)}${'░'.repeat(9)}]`);
    expect(fitWidth('abcdef', 4)).to.equal('abc…');
    expect(fitWidth('abc', 4)).to.equal('abc');
  });

  it('ends with the execution status and its error once it has stopped', () => {
    const failed = snapshot({
      execution: { ...snapshot().execution, status: 'FAILED', stoppedAt: sec(1200), error: 'States.TaskFailed', cause: 'boom' },
      running: [],
    });
    const frame = renderFrame(failed, 120);
    expect(frame[0]).to.equal('demo-1 (longhaul-dev-video)  FAILED  20m00s');
    expect(frame.at(-1)).to.equal('FAILED: States.TaskFailed: boom');
    expect(frame).to.not.include('running tasks: 0');
  });

  it('redraws in place: up to the previous frame\'s first line, clear, the new frame', () => {
    expect(redraw(0, ['a', 'b'])).to.equal('\x1b[Ja\nb\n');
    expect(redraw(3, ['c'])).to.equal('\x1b[3A\r\x1b[Jc\n');
  });

  it('off a terminal, prints each line once: a log shows only what changed', () => {
    const printed = new Set<string>();
    const first = newPlainLines(printed, plainLines(snapshot()));
    expect(first).to.include('execution demo-1 (longhaul-dev-video) started 2026-01-02T03:04:05.000Z');
    expect(first).to.include('step Split succeeded in 1m02s');
    expect(first).to.include('step TranscodeChunks: 3/12 items, 2 running, 1 failed');
    expect(first).to.include('task TranscodeChunk[7] retry 1 started: longhaul-dev-video-transcode-chunk, timeout 15m00s');
    expect(first).to.include('task TranscodeChunk[7] retry 1 passed 80% of its timeout');
    expect(first).to.include('task TranscodeChunk[7] attempt 1 failed: Sandbox.Timedout: { "errorMessage": "Task timed out after 900.00 seconds" }');
    // Time passes, nothing else changes: nothing to print.
    expect(newPlainLines(printed, plainLines(snapshot({ at: sec(1010) })))).to.deep.equal([]);
    // One more item done, the execution succeeds.
    const later = snapshot({
      at: sec(1100),
      execution: { ...snapshot().execution, status: 'SUCCEEDED', stoppedAt: sec(1100) },
      job: { jobId: 'demo-1', status: 'SUCCEEDED', step: 'merge', doneUnits: 12, totalUnits: 12, figures: { frames: 28_800 } },
      steps: [...snapshot().steps.slice(0, 2), { name: 'TranscodeChunks', status: 'SUCCEEDED', startedAt: sec(64.5), endedAt: sec(1090), items: { total: 12, succeeded: 12, failed: 0, running: 0 } }],
      running: [],
    });
    expect(newPlainLines(printed, plainLines(later))).to.deep.equal([
      'step TranscodeChunks: 12/12 items',
      'step TranscodeChunks succeeded in 17m05s',
      'job demo-1: merge, 12/12 units',
      'job demo-1: frames 28,800',
      'execution SUCCEEDED after 18m20s',
    ]);
  });

  it('tells apart a step entered again (a loop) from its first visit', () => {
    const steps = [
      { name: 'Turn', status: 'SUCCEEDED' as const, startedAt: sec(0), endedAt: sec(1) },
      { name: 'Turn', status: 'RUNNING' as const, startedAt: sec(1) },
    ];
    const lines = plainLines(snapshot({ steps, running: [], errors: [], retries: 0 }));
    expect(lines).to.include('step Turn succeeded in 1.0s');
    expect(lines).to.include('step Turn (visit 2) started');
  });
});
