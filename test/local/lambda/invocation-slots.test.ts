import { expect } from 'chai';
import type { FunctionSpec } from '../../../handlers/catalog-types';
import { createInvocationSlots } from '../../../local/lambda/invocation-slots';
import { fixtureFunction } from '../../support/fixture-function';

const spec = (name: string, reservedConcurrency?: number): FunctionSpec =>
  fixtureFunction(name, reservedConcurrency === undefined ? {} : { reservedConcurrency });

describe('local/lambda invocation slots', () => {
  it('caps a function at its catalog reserved concurrency, as Lambda does, and the others at the runtime’s', async () => {
    const slots = createInvocationSlots([spec('Reserved', 1), spec('Shared')], 4, undefined);
    const signal = new AbortController().signal;
    const first = await slots.acquire('Reserved', signal);
    let secondHeld = false;
    const second = slots.acquire('Reserved', signal).then((release) => {
      secondHeld = true;
      return release;
    });
    const shared = await Promise.all([slots.acquire('Shared', signal), slots.acquire('Shared', signal)]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondHeld, 'a second Reserved invocation waits').to.equal(false);
    expect(slots.stats()).to.deep.include({ running: 3, queued: 1 });
    first!();
    (await second)!();
    expect(secondHeld).to.equal(true);
    for (const release of shared) release!();
    expect(slots.stats().peakConcurrencyByFunction).to.deep.equal({ Reserved: 1, Shared: 2 });
  });

  it('lets the caller’s per-function cap override the catalog’s', async () => {
    const slots = createInvocationSlots([spec('Reserved', 1)], 4, { Reserved: 2 });
    const signal = new AbortController().signal;
    const both = await Promise.all([slots.acquire('Reserved', signal), slots.acquire('Reserved', signal)]);
    expect(slots.stats().running).to.equal(2);
    for (const release of both) release!();
  });
});
