import { expect } from 'chai';
import { JobMismatch } from '../../../handlers/lib/errors';
import { runOnce, taskMarkerKey } from '../../../handlers/lib/idempotency';
import { jobFingerprint } from '../../../handlers/lib/job-fingerprint';
import { LOCAL_ACCESS_ENV, type LocalAccessGrant } from '../../../handlers/lib/local-access';
import * as s3 from '../../../handlers/lib/s3';
import { applyEnv } from '../../../local/process-env';
import { rejection } from '../../support/rejection';
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

  it('redoes the work when the object at the marker key is not a marker, or not JSON', async () => {
    for (const [task, content] of [
      ['split', '[1,2]'],
      ['merge', '{"completedAt":"2026-01-01T00:00:00Z","res'], // cut short
    ] as const) {
      const markerKey = taskMarkerKey('job-4', task);
      await s3.putBuffer(markerKey, content);
      let calls = 0;
      const first = await runOnce({ markerKey, work: async () => (calls++, { n: 1 }) });
      expect(first, task).to.deep.equal({ result: { n: 1 }, reused: false });
      // The bad object was replaced by a real marker.
      expect(await runOnce({ markerKey, work: async () => (calls++, { n: 2 }) })).to.deep.equal({ result: { n: 1 }, reused: true });
      expect(calls).to.equal(1);
    }
  });

  it('redoes the work when an output named by outputKeys has gone, and trusts the marker while all are there', async () => {
    const markerKey = taskMarkerKey('job-5', 'transcode');
    const outputs = ['jobs/job-5/work/a.bin', 'jobs/job-5/work/b.bin'];
    let calls = 0;
    const work = async () => {
      calls++;
      for (const key of outputs) await s3.putBuffer(key, `run ${calls}`);
      return { keys: outputs, run: calls };
    };
    const outputKeys = (result: { keys: string[] }) => result.keys;
    expect(await runOnce({ markerKey, work, outputKeys })).to.deep.equal({ result: { keys: outputs, run: 1 }, reused: false });
    expect(await runOnce({ markerKey, work, outputKeys })).to.deep.equal({ result: { keys: outputs, run: 1 }, reused: true });
    await s3.deleteKeys([outputs[1]!]); // expired under the work/ lifecycle rule
    expect(await runOnce({ markerKey, work, outputKeys })).to.deep.equal({ result: { keys: outputs, run: 2 }, reused: false });
    expect(await s3.getText(outputs[1]!)).to.equal('run 2');
    expect(calls).to.equal(2);
    // Without outputKeys the marker alone is trusted, as before.
    await s3.deleteKeys(outputs);
    expect((await runOnce({ markerKey, work })).reused).to.equal(true);
  });
});

describe('handlers/lib/idempotency: markers belong to one job', () => {
  useLocalServices();
  const input = (etag: string, size = 10) => ({ key: 'jobs/fp/input/a.csv', size, etag });
  const job = { jobId: 'fp', input: { key: 'jobs/fp/input/a.csv' }, height: 360 };

  it('reuses a marker of the same job, and refuses one of other settings or another input object with JobMismatch', async () => {
    const markerKey = taskMarkerKey('fp', 'plan');
    let calls = 0;
    const work = async () => ++calls;
    const same = { jobId: 'fp', fingerprint: jobFingerprint(job, [input('"e1"')]) };
    expect(await runOnce({ markerKey, work, job: same })).to.deep.equal({ result: 1, reused: false });
    // Key order does not make another job.
    const reordered = { jobId: 'fp', fingerprint: jobFingerprint({ height: 360, input: { key: 'jobs/fp/input/a.csv' }, jobId: 'fp' }, [input('"e1"')]) };
    expect(await runOnce({ markerKey, work, job: reordered })).to.deep.equal({ result: 1, reused: true });

    const otherSettings = { jobId: 'fp', fingerprint: jobFingerprint({ ...job, height: 240 }, [input('"e1"')]) };
    const settingsErr = await rejection(runOnce({ markerKey, work, job: otherSettings }));
    expect(settingsErr).to.be.instanceOf(JobMismatch);
    expect(settingsErr.message).to.contain(markerKey).and.contain('"height":360').and.contain('"height":240');

    const otherObject = { jobId: 'fp', fingerprint: jobFingerprint(job, [input('"e2"', 11)]) };
    const inputErr = await rejection(runOnce({ markerKey, work, job: otherObject }));
    expect(inputErr.name).to.equal('JobMismatch');
    expect(inputErr.message).to.contain('input jobs/fp/input/a.csv is not the object it started with (size 10 → 11, ETag "e1" → "e2")');
    expect(calls).to.equal(1);
  });

  it('does not trust a marker that does not say which job it belongs to: the work is redone and the marker replaced', async () => {
    const markerKey = taskMarkerKey('fp', 'old-format');
    await s3.putJson(markerKey, { completedAt: '2026-01-01T00:00:00.000Z', result: 'old' });
    const fingerprint = jobFingerprint(job, [input('"e1"')]);
    expect(await runOnce({ markerKey, work: async () => 'new', job: { jobId: 'fp', fingerprint } })).to.deep.equal({ result: 'new', reused: false });
    expect((await s3.getJson<{ job: unknown }>(markerKey)).job).to.deep.equal(fingerprint);
  });

  describe('when the outputs it must check cannot be read (AccessDenied)', () => {
    let restoreEnv: (() => void) | undefined;
    afterEach(() => restoreEnv?.());

    it('fails with AccessDenied instead of redoing the work', async () => {
      const markerKey = taskMarkerKey('fp', 'denied');
      const outputKey = 'jobs/fp/output/result.bin';
      await s3.putBuffer(outputKey, 'result');
      let calls = 0;
      const work = async () => (++calls, { key: outputKey });
      await runOnce({ markerKey, work, outputKeys: (r) => [r.key] });
      // Now a function whose role may read its marker (work/) but not the output it checks (output/).
      const grant: LocalAccessGrant = {
        functionName: 'Denied',
        bucket: process.env.LONGHAUL_BUCKET!,
        objectActions: { 's3:GetObject': ['jobs/*/work/*'], 's3:PutObject': ['jobs/*/work/*'] },
        bucketActions: [],
        tableActions: [],
      };
      restoreEnv = applyEnv({ [LOCAL_ACCESS_ENV]: JSON.stringify(grant) });
      const err = await rejection(runOnce({ markerKey, work, outputKeys: (r) => [r.key] }));
      expect(err.name).to.equal('AccessDenied');
      expect(calls).to.equal(1);
    });
  });
});
