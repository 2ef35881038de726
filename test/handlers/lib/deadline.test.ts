import { expect } from 'chai';
import { deadlineOf, marginFor, MAX_MARGIN_MS } from '../../../handlers/lib/deadline';

/** A context whose remaining time moves only when the test says so. */
function clock(timeoutMs: number) {
  let elapsed = 0;
  return { context: { getRemainingTimeInMillis: () => Math.max(0, timeoutMs - elapsed) }, advance: (ms: number) => (elapsed += ms) };
}

describe('handlers/lib/deadline', () => {
  it('keeps 10 s free at 900 s, and a fifth of the time for short timeouts', () => {
    expect(MAX_MARGIN_MS).to.equal(10_000);
    expect(marginFor(900_000)).to.equal(10_000);
    expect(marginFor(50_000)).to.equal(10_000);
    expect(marginFor(5_000)).to.equal(1_000);
    expect(marginFor(0)).to.equal(0);
  });

  it('counts the budget down from what the context has left, less the margin, and never below zero', () => {
    const c = clock(5_000);
    const deadline = deadlineOf(c.context);
    expect(deadline.marginMs).to.equal(1_000);
    expect(deadline.remainingMs()).to.equal(4_000);
    expect(deadline.passed()).to.equal(false);
    c.advance(3_999);
    expect(deadline.remainingMs()).to.equal(1);
    c.advance(1);
    expect(deadline.passed()).to.equal(true);
    c.advance(10_000);
    expect(deadline.remainingMs()).to.equal(0);
  });

  it('aborts the signal of withSignal when the budget runs out, and says so', async () => {
    const deadline = deadlineOf({ getRemainingTimeInMillis: () => 50 }, 0);
    const seen = await deadline.withSignal((signal) => new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('aborted'))));
    expect(seen).to.equal('aborted');
    expect(deadline.aborted()).to.equal(true);
    const calm = deadlineOf({ getRemainingTimeInMillis: () => 60_000 });
    expect(await calm.withSignal(async (signal) => signal.aborted)).to.equal(false);
    expect(calm.aborted()).to.equal(false);
  });
});
