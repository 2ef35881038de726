// local/stack.ts owns the services it starts: a failed start or a failing step of stop() must still
// release them (servers, the data-dir lock), or the next run on that data directory is refused.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalServices } from '../../../local/services';
import { startLocalStack } from '../../../local/stack';
import { fixtureFunction } from '../../support/fixture-function';
import { rejection } from '../../support/rejection';


describe('local/stack cleanup', function () {
  this.timeout(60_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'longhaul-stack-test-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const servicesCanStartAgain = async () => {
    const again = await startLocalServices({ dataDir });
    await again.stop();
  };

  it('stops the services it started when the Lambda runner refuses its options', async () => {
    const err = await rejection(startLocalStack({ dataDir, timeScale: 0, functions: [fixtureFunction('F')] }));
    expect(err.message).to.include('timeScale');
    await servicesCanStartAgain();
  });

  it('runs on services started elsewhere and stops them with itself', async () => {
    const services = await startLocalServices({ dataDir });
    const stack = await startLocalStack({ services, functions: [fixtureFunction('F')], onLog: () => {} });
    expect(stack.services).to.equal(services);
    const out = await stack.lambda.invoke('F', { action: 'echo', value: 1 });
    expect(out.ok && out.payload, JSON.stringify(out)).to.deep.include({ value: 1 });
    await stack.stop();
    // Their servers are down and their data-dir lock released.
    expect(await rejection(fetch(services.endpoints.s3))).to.be.an('error');
    await servicesCanStartAgain();
  });

  it('runs every step of stop() even when closing the engine fails, and reports that failure', async () => {
    const stack = await startLocalStack({ dataDir, functions: [fixtureFunction('F')], onLog: () => {} });
    stack.engine.close = () => Promise.reject(new Error('engine would not close'));
    const err = await rejection(stack.stop());
    expect(err.message).to.equal('engine would not close');
    expect(await rejection(stack.lambda.invoke('F', { action: 'echo' }))).to.match(/closed/);
    await servicesCanStartAgain();
  });
});
