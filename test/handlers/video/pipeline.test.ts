// The pipeline's handlers in sequence against real s3rver/dynalite and real ffmpeg: the output
// must match the generated source frame for frame. Every expected figure follows from how the
// clip was generated (e.g. 4 s at 25 fps = 100 frames), never from the code under test.
import { expect } from 'chai';
import { getJob } from '../../../handlers/lib/progress';
import { join } from 'node:path';
import { deleteKeys, exists, getJson, getText, listKeys, putBuffer, uploadFile } from '../../../handlers/lib/s3';
import { generateClip } from '../../support/media';
import { jobKeys } from '../../../handlers/lib/storage-layout';
import { useLocalServices } from '../../support/services';
import {
  audioSamplesOf,
  fakeContext,
  jobInput,
  measure,
  merge,
  minPsnrAgainstMonolithic,
  probe,
  runPipeline,
  split,
  transcodeChunk,
  uploadClip,
  uploadSameClip,
  uploadRotatedClip,
  uploadTrimmedClip,
  withTempDir,
  SAME_FRAMES_MIN_PSNR,
} from './pipeline-steps';
import type { Manifest } from '../../../handlers/video/manifest';
import { videoKeys } from '../../../handlers/video/keys';
import { failedVerificationKey } from '../../../handlers/video/merge-chunks';

describe('video pipeline handlers (real S3, DynamoDB, ffmpeg)', function () {
  this.timeout(120_000);
  useLocalServices();

  it('25 fps with audio and B-frames, cut into 1 s chunks: exact frames, duration within a frame, samples within 1024, clean decode', async () => {
    const jobId = 'v-25fps-audio';
    const key = await uploadClip(jobId, { width: 320, height: 180, fps: '25', gop: 25, bFrames: 2, durationSeconds: 4, audio: true, sampleRate: 48000 });
    const out = await runPipeline(jobInput(jobId, key, { chunkSeconds: 1 }));

    // Keyframes every 25 frames, 1 s chunks: cuts at frames 25, 50, 75.
    expect(out.plan.chunkCount).to.equal(4);
    expect(out.chunks.map((c) => c.frames)).to.deep.equal([25, 25, 25, 25]);
    const m = await measure(out.merged.outputKey);
    expect(m.frames).to.equal(100);
    expect(Math.abs(m.videoDuration - 4)).to.be.at.most(1 / 25);
    expect(m.audioSamples).to.not.equal(null);
    expect(Math.abs(m.audioSamples! - 4 * 48000)).to.be.at.most(1024);
    expect(m.decodeOutput).to.equal('');
    // 320x180 scaled to height 120 keeps 16:9: 213.3 rounds to the even 214.
    expect([m.width, m.height]).to.deep.equal([214, 120]);

    expect(await minPsnrAgainstMonolithic(out.merged.outputKey, key, jobInput(jobId, key))).to.be.above(SAME_FRAMES_MIN_PSNR);

    expect(out.merged.verification.frames).to.deep.equal({ expected: 100, actual: 100 });
    const job = await getJob(jobId);
    expect(job?.status).to.equal('SUCCEEDED');
    expect([job?.doneUnits, job?.totalUnits]).to.deep.equal([4, 4]);
  });

  it('29.97 fps without audio comes out frame-exact and silent', async () => {
    const jobId = 'v-2997-silent';
    const key = await uploadClip(jobId, { fps: '30000/1001', gop: 15, durationSeconds: 3, audio: false });
    const out = await runPipeline(jobInput(jobId, key, { chunkSeconds: 1 }));
    expect(out.chunks.map((c) => c.audioKey)).to.deep.equal([null, null, null]);
    expect(out.plan.hasAudio).to.equal(false);
    const m = await measure(out.merged.outputKey);
    expect(m.frames).to.equal(90);
    expect(Math.abs(m.videoDuration - 90 * 1001 / 30000)).to.be.at.most(1001 / 30000);
    expect(m.audioSamples).to.equal(null);
    expect(m.decodeOutput).to.equal('');
  });

  it('an odd 641x361 source becomes an even-sized output with every frame', async () => {
    const jobId = 'v-odd-size';
    const key = await uploadClip(jobId, { width: 641, height: 361, fps: '25', gop: 25, durationSeconds: 2, audio: true, sampleRate: 44100 });
    const out = await runPipeline(jobInput(jobId, key, { chunkSeconds: 1, height: 240 }));
    const m = await measure(out.merged.outputKey);
    // 641 * 240 / 361 = 426.2 → nearest even 426.
    expect([m.width, m.height]).to.deep.equal([426, 240]);
    expect(m.frames).to.equal(50);
    expect(Math.abs(m.audioSamples! - 2 * 44100)).to.be.at.most(1024);
    expect(m.decodeOutput).to.equal('');
  });

  it('a GOP longer than the chunk length gives fewer, longer chunks cut only at keyframes', async () => {
    const jobId = 'v-long-gop';
    // Keyframes every 50 frames (2 s) at 25 fps, 6 s long; chunks of 0.5 s asked for.
    const key = await uploadClip(jobId, { fps: '25', gop: 50, durationSeconds: 6, audio: true });
    const out = await runPipeline(jobInput(jobId, key, { chunkSeconds: 0.5 }));
    const manifest = await getJson<Manifest>(videoKeys.manifest(jobId));
    expect(manifest.chunks.map((c) => c.startFrame)).to.deep.equal([0, 50, 100]);
    expect(out.chunks.map((c) => c.frames)).to.deep.equal([50, 50, 50]);
    const m = await measure(out.merged.outputKey);
    expect(m.frames).to.equal(150);
    expect(Math.abs(m.videoDuration - 6)).to.be.at.most(1 / 25);
    expect(m.decodeOutput).to.equal('');
  });

  it('a source trimmed by an edit list shows exactly the kept frames, in sync, like a monolithic transcode', async () => {
    const jobId = 'v-edit-list';
    // 4 s at 25 fps with B-frames, trimmed at 1.4 s (mid-GOP): 2.6 s = 65 frames are shown, the 10 before
    // the cut are kept in the file only to decode the rest.
    const key = await uploadTrimmedClip(jobId, { fps: '25', gop: 25, bFrames: 2, durationSeconds: 4, audio: true }, 1.4);
    const out = await runPipeline(jobInput(jobId, key, { chunkSeconds: 1 }));
    const m = await measure(out.merged.outputKey);
    expect(m.frames).to.equal(65);
    expect(Math.abs(m.videoDuration - 2.6)).to.be.at.most(1 / 25);
    expect(Math.abs(m.audioSamples! - (await audioSamplesOf(key)))).to.be.at.most(1024);
    expect(m.decodeOutput).to.equal('');
    expect(await minPsnrAgainstMonolithic(out.merged.outputKey, key, jobInput(jobId, key))).to.be.above(SAME_FRAMES_MIN_PSNR);
  });

  it('a phone-style rotated source comes out turned, as a monolithic transcode (autorotate) turns it', async () => {
    const jobId = 'v-rotated';
    // 320x180 frames tagged to be shown turned: a 180x320 picture; at height 240 the width is 135, rounded up to even.
    const key = await uploadRotatedClip(jobId, { fps: '25', gop: 25, durationSeconds: 2, audio: false }, 90);
    const out = await runPipeline(jobInput(jobId, key, { chunkSeconds: 1, height: 240 }));
    const m = await measure(out.merged.outputKey);
    expect([m.width, m.height]).to.deep.equal([136, 240]);
    // Turned for real: a leftover rotation tag would make players turn it again.
    expect(m.rotation).to.equal(0);
    expect(m.frames).to.equal(50);
    expect(await minPsnrAgainstMonolithic(out.merged.outputKey, key, jobInput(jobId, key, { height: 240 }))).to.be.above(SAME_FRAMES_MIN_PSNR);
  });

  it('re-running every handler of a finished job returns the existing output without redoing the work', async () => {
    const jobId = 'v-rerun';
    const key = await uploadClip(jobId, { fps: '25', gop: 25, durationSeconds: 2, audio: true });
    const input = jobInput(jobId, key, { chunkSeconds: 1 });
    const first = await runPipeline(input);
    const before = await listKeys(jobKeys.root(jobId));

    const again = await runPipeline(input);
    expect(again.chunks.every((c) => c.reused)).to.equal(true);
    expect(again.merged.reused).to.equal(true);
    // Encode times recorded by the first run come back unchanged: nothing was re-encoded.
    expect(again.chunks.map((c) => c.encodeSeconds)).to.deep.equal(first.chunks.map((c) => c.encodeSeconds));
    expect(again.merged.verification).to.deep.equal(first.merged.verification);
    expect(await listKeys(jobKeys.root(jobId))).to.deep.equal(before);
  });

  it('a task whose marker outlived its outputs (work/ expiry) redoes the work, and the output is rebuilt', async () => {
    const jobId = 'v-expired-outputs';
    const key = await uploadClip(jobId, { fps: '25', gop: 25, durationSeconds: 2, audio: true });
    const input = jobInput(jobId, key, { chunkSeconds: 1 });
    const first = await runPipeline(input);
    // What an expiry (or a careless cleanup) takes while every marker stays.
    const gone = [
      videoKeys.chunkItems(jobId),
      videoKeys.sourceChunk(jobId, 1),
      videoKeys.encodedChunk(jobId, 0),
      videoKeys.encodedAudio(jobId, 1),
      videoKeys.output(jobId),
    ];
    await deleteKeys(gone);

    const again = await runPipeline(input);
    for (const k of gone) expect(await exists(k), k).to.equal(true);
    // Chunk 0 lost its video, chunk 1 its audio segment: both are redone.
    expect(again.chunks.map((c) => c.reused)).to.deep.equal([false, false]);
    expect(again.merged.reused).to.equal(false);
    expect(again.merged.verification.frames).to.deep.equal(first.merged.verification.frames);
    expect((await measure(videoKeys.output(jobId))).frames).to.equal(50);
  });

  it('a chunk stopped at its deadline, or lost before its marker, is redone on retry and the output is the same', async () => {
    const [key, refKey] = await uploadSameClip(['v-retry-chunk', 'v-retry-ref'], { fps: '25', gop: 25, durationSeconds: 2, audio: true });
    const jobId = 'v-retry-chunk';
    await probe(jobInput(jobId, key!, { chunkSeconds: 1 }), fakeContext('VideoProbe'));
    await split({ jobId }, fakeContext('VideoSplit'));

    // No time left: ffmpeg is stopped at once and nothing is published.
    const stopped = await transcodeChunk({ jobId, index: 0 }, fakeContext('VideoTranscodeChunk', 0)).then(
      () => undefined,
      (e: Error) => e,
    );
    // Not retryable: a retry would get the same budget for the same work.
    expect(stopped?.name).to.equal('ChunkOverBudget');
    expect(stopped?.message).to.contain('before the Lambda timeout');
    expect(stopped?.message).to.contain(videoKeys.sourceChunk(jobId, 0));
    expect(await exists(videoKeys.encodedChunk(jobId, 0))).to.equal(false);
    expect(await exists(videoKeys.encodedChunkMarker(jobId, 0))).to.equal(false);

    // A worker killed between its upload and its marker leaves an object no one may trust.
    await putBuffer(videoKeys.encodedChunk(jobId, 1), 'partial garbage');

    const retried = [
      await transcodeChunk({ jobId, index: 0 }, fakeContext('VideoTranscodeChunk')),
      await transcodeChunk({ jobId, index: 1 }, fakeContext('VideoTranscodeChunk')),
    ];
    expect(retried.map((r) => [r.reused, r.frames])).to.deep.equal([[false, 25], [false, 25]]);
    const merged = await merge({ jobId }, fakeContext('VideoMerge'));
    expect(merged.verification.frames).to.deep.equal({ expected: 50, actual: 50 });

    const reference = await runPipeline(jobInput('v-retry-ref', refKey!, { chunkSeconds: 1 }));
    const [got, want] = await Promise.all([measure(merged.outputKey), measure(reference.merged.outputKey)]);
    expect(got.videoMd5).to.match(/^MD5=/);
    expect(got.videoMd5).to.equal(want.videoMd5);
    expect(got.audioSamples).to.equal(want.audioSamples);
  });

  it('a merge that fails verification publishes nothing; the next good merge publishes and clears the failure record', async () => {
    const jobId = 'v-merge-verify';
    const key = await uploadClip(jobId, { fps: '25', gop: 25, durationSeconds: 2, audio: false });
    await probe(jobInput(jobId, key, { chunkSeconds: 1 }), fakeContext('VideoProbe'));
    await split({ jobId }, fakeContext('VideoSplit'));
    for (const index of [0, 1]) await transcodeChunk({ jobId, index }, fakeContext('VideoTranscodeChunk'));

    // A plan expecting one frame more than the source has: the merged file cannot pass.
    const manifest = await getJson<Manifest>(videoKeys.manifest(jobId));
    const wrong = { ...manifest, source: { ...manifest.source, video: { ...manifest.source.video, frameCount: 51 } } };
    await putBuffer(videoKeys.manifest(jobId), JSON.stringify(wrong));
    const err = await merge({ jobId }, fakeContext('VideoMerge')).then(() => undefined, (e: Error) => e);
    expect(err?.name).to.equal('VerificationFailed');
    expect(await exists(videoKeys.output(jobId))).to.equal(false);
    expect(await exists(videoKeys.verification(jobId))).to.equal(false);
    expect(await getJson(failedVerificationKey(jobId))).to.deep.include({ ok: false, frames: { expected: 51, actual: 50 } });
    expect(await exists(videoKeys.mergedVideo(jobId))).to.equal(true);

    await putBuffer(videoKeys.manifest(jobId), JSON.stringify(manifest));
    const merged = await merge({ jobId }, fakeContext('VideoMerge'));
    expect(merged.reused).to.equal(false);
    expect((await measure(videoKeys.output(jobId))).frames).to.equal(50);
    expect(await exists(failedVerificationKey(jobId))).to.equal(false);
  });

  it('probe refuses to re-plan an existing jobId with different settings', async () => {
    const jobId = 'v-changed-settings';
    const key = await uploadClip(jobId, { durationSeconds: 1, audio: false });
    await probe(jobInput(jobId, key, { chunkSeconds: 1 }), fakeContext('VideoProbe'));
    const changed = jobInput(jobId, key, { chunkSeconds: 1, height: 240 });
    const err = await probe(changed, fakeContext('VideoProbe')).then(() => undefined, (e: Error) => e);
    expect(err?.name).to.equal('JobMismatch');
    expect(err?.message).to.contain('other settings').and.contain('"height":240');
  });

  it('a later task refuses a marker written for the same jobId under other settings', async () => {
    const jobId = 'v-replanned';
    const key = await uploadClip(jobId, { durationSeconds: 1, audio: false });
    await probe(jobInput(jobId, key, { chunkSeconds: 1 }), fakeContext('VideoProbe'));
    await split({ jobId }, fakeContext('VideoSplit'));
    // As if the plan had been made again with another height (its marker expired): split's marker is of the old job.
    const manifest = JSON.parse(await getText(videoKeys.manifest(jobId))) as { job: { output: { height: number } } };
    manifest.job.output.height = 240;
    await putBuffer(videoKeys.manifest(jobId), JSON.stringify(manifest));
    const err = await split({ jobId }, fakeContext('VideoSplit')).then(() => undefined, (e: Error) => e);
    expect(err?.name).to.equal('JobMismatch');
    expect(err?.message).to.contain(videoKeys.splitMarker(jobId));
  });

  it('probe refuses a re-run of a jobId whose input key now holds another object, and accepts the same bytes again', async () => {
    const jobId = 'v-replaced-input';
    const key = jobKeys.input(jobId, 'source.mp4');
    await withTempDir(async (dir) => {
      const [a, b] = [join(dir, 'a.mp4'), join(dir, 'b.mp4')];
      await generateClip(a, { fps: '25', gop: 25, durationSeconds: 1, audio: false });
      await generateClip(b, { fps: '25', gop: 25, durationSeconds: 2, audio: false });
      await uploadFile(a, key);
      await probe(jobInput(jobId, key), fakeContext('VideoProbe'));
      // The same bytes uploaded again are the same input.
      await uploadFile(a, key);
      expect((await probe(jobInput(jobId, key), fakeContext('VideoProbe'))).chunkCount).to.equal(1);

      await uploadFile(b, key);
      const err = await probe(jobInput(jobId, key), fakeContext('VideoProbe')).then(() => undefined, (e: Error) => e);
      expect(err?.name).to.equal('JobMismatch');
      expect(err?.message).to.contain(`input ${key} is not the object it started with`);
      expect(err?.message).to.contain('input.key');
    });
  });

  it('a chunk index outside the plan is an InvalidInput naming the field', async () => {
    const jobId = 'v-bad-index';
    const key = await uploadClip(jobId, { durationSeconds: 1, audio: false });
    await probe(jobInput(jobId, key), fakeContext('VideoProbe'));
    const err = await transcodeChunk({ jobId, index: 7 }, fakeContext('VideoTranscodeChunk')).then(() => undefined, (e: Error) => e);
    expect(err?.name).to.equal('InvalidInput');
    expect(err?.message).to.contain('index');
  });
});
