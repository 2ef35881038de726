import { expect } from 'chai';
import { runOnce, taskMarkerKey } from '../../../handlers/lib/idempotency';
import * as s3 from '../../../handlers/lib/s3';
import { InvalidInput } from '../../../handlers/lib/errors';
import { useLocalServices } from '../../support/services';

describe('handlers/lib/idempotency (against s3rver)', () => {
  useLocalServices();

  it('does the work once across repeats and returns the recorded result', async () => {
    const markerKey = taskMarkerKey('job-1', 'split');
    let calls = 0;
    const work = async () => {
      calls++;
      await s3.putBuffer('jobs/job-1/work/out.bin', 'output');
      return { chunks: 3, key: 'jobs/job-1/work/out.bin' };
    };
    const first = await runOnce({ markerKey, work });
    expect(first).to.deep.equal({ result: { chunks: 3, key: 'jobs/job-1/work/out.bin' }, reused: false });
    for (let i = 0; i < 3; i++) {
      const again = await runOnce({ markerKey, work });
      expect(again).to.deep.equal({ result: { chunks: 3, key: 'jobs/job-1/work/out.bin' }, reused: true });
    }
    expect(calls).to.equal(1);
    expect(markerKey).to.equal('jobs/job-1/work/markers/split.json');
  });

  it('writes no marker when the work throws, so a retry does the work', async () => {
    const markerKey = taskMarkerKey('job-2', 'transcode');
    let calls = 0;
    const failing = async (): Promise<number> => {
      calls++;
      throw new Error('ffmpeg crashed');
    };
    let caught: unknown;
    try {
      await runOnce({ markerKey, work: failing });
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).message).to.equal('ffmpeg crashed');
    expect(await s3.exists(markerKey)).to.equal(false);

    const retry = await runOnce({ markerKey, work: async () => (calls++, 42) });
    expect(retry).to.deep.equal({ result: 42, reused: false });
    expect(calls).to.equal(2);
  });

  it('writes the marker only after the work finished', async () => {
    const markerKey = taskMarkerKey('job-3', 'merge');
    let markerDuringWork: boolean | undefined;
    await runOnce({
      markerKey,
      work: async () => {
        markerDuringWork = await s3.exists(markerKey);
        return 'ok';
      },
    });
    expect(markerDuringWork).to.equal(false);
    expect(await s3.exists(markerKey)).to.equal(true);
  });

  it('refuses an object at the marker key that is not a marker', async () => {
    const markerKey = taskMarkerKey('job-4', 'split');
    await s3.putJson(markerKey, [1, 2]);
    let caught: unknown;
    try {
      await runOnce({ markerKey, work: async () => 1 });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(InvalidInput);
    expect((caught as Error).message).to.include(markerKey);
  });
});
