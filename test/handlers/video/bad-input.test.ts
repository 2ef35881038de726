// Bad inputs must fail at probe, with a named error that says what is wrong, and leave nothing
// under work/ (no manifest, no chunks) that a later task or a retry could trust.
import { expect } from 'chai';
import { seededRandom } from '../../../handlers/lib/seeded-random';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listKeys, putBuffer } from '../../../handlers/lib/s3';
import { jobKeys } from '../../../handlers/lib/storage-layout';
import { TMP_LIMIT_ENV } from '../../../handlers/lib/workdir';
import { useLocalServices } from '../../support/services';
import { generateAudioOnly, generateClip } from '../../support/media';
import { fakeContext, jobInput, probe, split, uploadClip, withTempDir } from './pipeline-steps';

async function probeError(event: unknown): Promise<Error> {
  const err = await probe(event, fakeContext('VideoProbe')).then(
    () => undefined,
    (e: Error) => e,
  );
  if (!err) throw new Error('probe succeeded on a bad input');
  return err;
}

async function uploadBytes(jobId: string, body: Buffer | string): Promise<string> {
  const key = jobKeys.input(jobId, 'source.mp4');
  await putBuffer(key, body);
  return key;
}

async function uploadFileBytes(jobId: string, make: (path: string) => Promise<Buffer>): Promise<string> {
  return withTempDir(async (dir) => uploadBytes(jobId, await make(join(dir, 'f'))));
}

async function expectNothingUnderWork(jobId: string): Promise<void> {
  expect(await listKeys(jobKeys.work(jobId, ''))).to.deep.equal([]);
}

describe('video probe: bad inputs fail fast and create no chunks', function () {
  this.timeout(60_000);
  useLocalServices();

  it('a missing key is InputNotFound naming the key', async () => {
    const err = await probeError(jobInput('bad-missing', jobKeys.input('bad-missing', 'nope.mp4')));
    expect(err.name).to.equal('InputNotFound');
    expect(err.message).to.contain('jobs/bad-missing/input/nope.mp4');
    await expectNothingUnderWork('bad-missing');
  });

  it('a zero-byte file is InvalidInput saying it is empty', async () => {
    const key = await uploadBytes('bad-empty', Buffer.alloc(0));
    const err = await probeError(jobInput('bad-empty', key));
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.match(/empty \(0 bytes\)/);
    await expectNothingUnderWork('bad-empty');
  });

  it('random bytes are InvalidInput: not a readable media file', async () => {
    // Seeded, not random: some random buffers happen to look like a stream with no size (flaky).
    const random = seededRandom(42);
    const key = await uploadBytes('bad-random', Buffer.from(Array.from({ length: 64 * 1024 }, () => random.int(0, 255))));
    const err = await probeError(jobInput('bad-random', key));
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.match(/not a readable media file|no video stream/);
    expect(err.message).to.contain(key);
    await expectNothingUnderWork('bad-random');
  });

  it('a text file renamed .mp4 is InvalidInput quoting ffprobe', async () => {
    const key = await uploadBytes('bad-text', 'This is a shopping list, not a video.\nmilk\neggs\n');
    const err = await probeError(jobInput('bad-text', key));
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.contain('not a readable media file');
    expect(err.message).to.contain(`ffprobe says: ${key}: Invalid data found`);
    expect(err.message).to.not.match(/longhaul-video-/);
    await expectNothingUnderWork('bad-text');
  });

  it('an audio-only file is InvalidInput: no video stream', async () => {
    const key = await uploadFileBytes('bad-audio-only', async (p) => {
      const path = `${p}.m4a`;
      await generateAudioOnly(path, 1);
      return readFile(path);
    });
    const err = await probeError(jobInput('bad-audio-only', key));
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.contain('no video stream (streams: audio)');
    await expectNothingUnderWork('bad-audio-only');
  });

  it('a truncated mp4 (index at the end, lost) is InvalidInput', async () => {
    const key = await uploadFileBytes('bad-truncated', async (p) => {
      const path = `${p}.mp4`;
      await generateClip(path, { durationSeconds: 2 });
      const whole = await readFile(path);
      return whole.subarray(0, Math.floor(whole.length / 2));
    });
    const err = await probeError(jobInput('bad-truncated', key));
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.contain('not a readable media file');
    await expectNothingUnderWork('bad-truncated');
  });

  it('a truncated faststart mp4 (index intact, frames missing) is InvalidInput: truncated', async () => {
    const key = await uploadFileBytes('bad-truncated-fs', async (p) => {
      const path = `${p}.mp4`;
      await generateClip(path, { durationSeconds: 2, faststart: true });
      const whole = await readFile(path);
      return whole.subarray(0, Math.floor(whole.length / 2));
    });
    const err = await probeError(jobInput('bad-truncated-fs', key));
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.match(/truncated/);
    await expectNothingUnderWork('bad-truncated-fs');
  });

  it('a bad job input names every offending field', async () => {
    const err = await probeError({
      jobId: 'bad-fields',
      input: { key: 'elsewhere/source.mp4' },
      output: { height: 361, preset: 'warp-speed' },
      maxConcurrency: 0,
    });
    expect(err.name).to.equal('InvalidInput');
    for (const field of ['input.key', 'output.height', 'output.preset', 'maxConcurrency']) expect(err.message).to.contain(field);
    await expectNothingUnderWork('bad-fields');
  });

  it('a misspelt option is refused, naming it', async () => {
    const err = await probeError({ ...jobInput('bad-typo', jobKeys.input('bad-typo', 'a.mp4')), chunk_seconds: 5 });
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.contain('chunk_seconds');
  });

  it('a chunkSeconds whose chunks would not fit the transcode timeout is refused, naming the field', async () => {
    const key = await uploadClip('bad-chunk-seconds', { durationSeconds: 1, audio: false });
    // 3600 s of 320x180 source at the slowest preset is estimated far above 900 s.
    const input = { ...jobInput('bad-chunk-seconds', key, { chunkSeconds: 3600, height: 720 }), output: { height: 720, preset: 'veryslow' } };
    const err = await probeError(input);
    expect(err.name).to.equal('InvalidInput');
    expect(err.message).to.contain('chunkSeconds');
    await expectNothingUnderWork('bad-chunk-seconds');
  });
});

describe('video split: refuses an input that cannot fit its /tmp', function () {
  this.timeout(60_000);
  useLocalServices();
  let saved: string | undefined;
  before(() => {
    saved = process.env[TMP_LIMIT_ENV];
  });
  after(() => {
    if (saved === undefined) delete process.env[TMP_LIMIT_ENV];
    else process.env[TMP_LIMIT_ENV] = saved;
  });

  it('fails with InvalidInput before downloading, and publishes no chunk', async () => {
    const jobId = 'bad-too-big';
    const key = await uploadClip(jobId, { durationSeconds: 2 });
    await probe(jobInput(jobId, key, { chunkSeconds: 1 }), fakeContext('VideoProbe'));
    // About 10 KB of /tmp: the clip is larger, so it cannot be held twice.
    process.env[TMP_LIMIT_ENV] = '0.01';
    const err = await split({ jobId }, fakeContext('VideoSplit')).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).to.equal('InvalidInput');
    expect(err?.message).to.match(/needs [\d.]+ MB of \/tmp but only 0\.0 MB is available/);
    expect(await listKeys(jobKeys.work(jobId, 'split/'))).to.deep.equal([]);
  });
});

