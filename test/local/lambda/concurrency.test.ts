// Concurrency caps, checked twice: by the runner's own counters and by the handlers themselves,
// which count each other through marker files in a shared directory.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLambdaRuntime, type LambdaRuntime, type RuntimeInvokeOutcome } from '../../../local/lambda/runtime';
import { fixtureFunction } from '../../support/fixture-function';

function maxSeen(outcomes: RuntimeInvokeOutcome[]): number {
  return Math.max(
    ...outcomes.map((o) => {
      if (!o.ok) throw new Error(JSON.stringify(o.error));
      return (o.payload as { maxSeen: number }).maxSeen;
    }),
  );
}

describe('local/lambda concurrency', function () {
  let scratch: string;
  let runtime: LambdaRuntime | undefined;

  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'longhaul-concurrency-'));
  });
  afterEach(async () => {
    await runtime?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('never runs more than maxConcurrency invocations at once over all functions; the rest queue', async () => {
    runtime = createLambdaRuntime({
      functions: [fixtureFunction('A'), fixtureFunction('B')],
      env: {},
      maxConcurrency: 3,
      onLog: () => {},
    });
    const event = { action: 'overlap', dir: scratch, holdMs: 300 };
    const calls = [...Array(8)].map((_, i) => runtime!.invoke(i % 2 ? 'A' : 'B', event));
    await new Promise((r) => setTimeout(r, 20));
    expect(runtime.stats().queued).to.equal(5);
    const outcomes = await Promise.all(calls);
    expect(maxSeen(outcomes)).to.be.at.most(3);
    const stats = runtime.stats();
    expect(stats.peakConcurrency).to.equal(3);
    expect(stats.running).to.equal(0);
    expect(stats.queued).to.equal(0);
    expect(stats.workers.live).to.be.at.most(3);
  });

  it('holds a per-function cap while other functions use the remaining slots', async () => {
    runtime = createLambdaRuntime({
      functions: [fixtureFunction('A'), fixtureFunction('B')],
      env: {},
      maxConcurrency: 4,
      maxConcurrencyPerFunction: { A: 1 },
      onLog: () => {},
    });
    const dirA = path.join(scratch, 'a');
    const dirB = path.join(scratch, 'b');
    mkdirSync(dirA);
    mkdirSync(dirB);
    const a = [...Array(3)].map(() => runtime!.invoke('A', { action: 'overlap', dir: dirA, holdMs: 200 }));
    const b = [...Array(3)].map(() => runtime!.invoke('B', { action: 'overlap', dir: dirB, holdMs: 200 }));
    const [outA, outB] = await Promise.all([Promise.all(a), Promise.all(b)]);
    expect(maxSeen(outA)).to.equal(1);
    expect(maxSeen(outB)).to.be.at.most(3);
    expect(runtime.stats().peakConcurrencyByFunction).to.deep.equal({ A: 1, B: 3 });
    // One warm worker serves every call of A.
    expect(outA.filter((o) => o.coldStart)).to.have.length(1);
  });

  it('rejects a per-function cap for an unknown function', () => {
    expect(() =>
      createLambdaRuntime({ functions: [fixtureFunction('A')], env: {}, maxConcurrencyPerFunction: { Z: 1 } }),
    ).to.throw(/maxConcurrencyPerFunction: unknown function "Z"/);
  });
});
