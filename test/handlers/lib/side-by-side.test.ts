import { expect } from 'chai';
import { sideBySide } from '../../../handlers/lib/side-by-side';

/** Resolves after `ms`, or rejects `ms` after the signal aborts (a process that takes a while to die). */
function slowJob(ms: number, log: string[], name: string) {
  return (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      const done = setTimeout(() => {
        log.push(`${name} finished`);
        resolve(name);
      }, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(done);
        setTimeout(() => {
          log.push(`${name} stopped`);
          reject(new Error(`${name} aborted`));
        }, 30);
      });
    });
}

describe('handlers/lib/side-by-side', () => {
  it('returns every result in the order of the jobs', async () => {
    const log: string[] = [];
    const results = await sideBySide([slowJob(30, log, 'a'), slowJob(5, log, 'b'), async () => 3]);
    expect(results).to.deep.equal(['a', 'b', 3]);
  });

  it('aborts the rest on the first failure and rejects with that failure only once they have stopped', async () => {
    const log: string[] = [];
    const failing = async () => {
      await new Promise((r) => setTimeout(r, 10));
      log.push('failed');
      throw new Error('the real failure');
    };
    const err = await sideBySide([slowJob(5_000, log, 'encode'), failing, slowJob(5_000, log, 'audio')]).then(
      () => expect.fail('should reject'),
      (e: Error) => e,
    );
    log.push('rejected');
    expect(err.message).to.equal('the real failure');
    expect(log).to.deep.equal(['failed', 'encode stopped', 'audio stopped', 'rejected']);
  });

  it('passes an abort of the parent signal to every job and rejects with the first job error', async () => {
    const log: string[] = [];
    const parent = new AbortController();
    const running = sideBySide([slowJob(5_000, log, 'encode'), slowJob(5_000, log, 'audio')], parent.signal);
    setTimeout(() => parent.abort(), 10);
    const err = await running.then(
      () => expect.fail('should reject'),
      (e: Error) => e,
    );
    expect(err.message).to.equal('encode aborted');
    expect(log).to.have.members(['encode stopped', 'audio stopped']);
  });

  it('gives every job an aborted signal when the parent was aborted already', async () => {
    const parent = new AbortController();
    parent.abort();
    const seen: boolean[] = [];
    await sideBySide([async (s) => seen.push(s.aborted), async (s) => seen.push(s.aborted)], parent.signal);
    expect(seen).to.deep.equal([true, true]);
  });
});
