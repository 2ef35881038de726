import { expect } from 'chai';
import { createConcurrencyLimiter } from '../../../local/lambda/concurrency-limiter';

describe('local/lambda concurrency limiter', () => {
  it('grants up to the cap, queues the rest in FIFO order and records the peak', async () => {
    const limiter = createConcurrencyLimiter(2);
    expect(await limiter.acquire()).to.equal(true);
    expect(await limiter.acquire()).to.equal(true);
    const order: string[] = [];
    const third = limiter.acquire().then((ok) => order.push(`third:${ok}`));
    const fourth = limiter.acquire().then((ok) => order.push(`fourth:${ok}`));
    await Promise.resolve();
    expect(limiter.queued).to.equal(2);
    expect(order).to.deep.equal([]);
    limiter.release();
    await third;
    expect(order).to.deep.equal(['third:true']);
    limiter.release();
    await fourth;
    expect(order).to.deep.equal(['third:true', 'fourth:true']);
    expect(limiter.active).to.equal(2);
    expect(limiter.peak).to.equal(2);
  });

  it('an aborted waiter leaves the queue without taking a slot', async () => {
    const limiter = createConcurrencyLimiter(1);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    expect(await waiting).to.equal(false);
    expect(limiter.queued).to.equal(0);
    limiter.release();
    expect(limiter.active).to.equal(0);
    expect(await limiter.acquire(AbortSignal.abort())).to.equal(false);
  });

  it('rejects a cap that is not a positive integer, and a release without acquire', () => {
    expect(() => createConcurrencyLimiter(0)).to.throw(/positive integer, got 0/);
    expect(() => createConcurrencyLimiter(1.5)).to.throw(/positive integer/);
    expect(() => createConcurrencyLimiter(1).release()).to.throw(/release without acquire/);
  });
});
