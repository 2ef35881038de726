// Audio encoded in segments, one per chunk, must come out as one encode would: the source's sample count,
// every sample where the source has it, and no seam to hear. A pure tone shows all three: its waveform is
// smooth, so a seam off by a sample, a lost frame or an encoder cold at its cut all stand out. Everything
// is measured by decoding with ffmpeg here, against the decoded source, not taken from the pipeline.
import { expect } from 'chai';
import { join } from 'node:path';
import { run } from '../../../handlers/lib/ffmpeg';
import { downloadToFile, getJson, uploadFile } from '../../../handlers/lib/s3';
import { jobKeys } from '../../../handlers/lib/storage-layout';
import type { Manifest } from '../../../handlers/video/manifest';
import { videoKeys } from '../../../handlers/video/keys';
import { generateClip } from '../../support/media';
import { useLocalServices } from '../../support/services';
import { jobInput, runPipeline, uploadClip, withTempDir } from './pipeline-steps';

/** The first audio stream of an S3 object, decoded to mono 16-bit samples. */
async function decodedAudio(key: string): Promise<Int16Array> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'f');
    await downloadToFile(key, path);
    const parts: Buffer[] = [];
    await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:a:0', '-ac', '1', '-f', 's16le', '-acodec', 'pcm_s16le', 'pipe:1'], { onStdout: (c) => parts.push(c) });
    const pcm = Buffer.concat(parts);
    return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  });
}

const WINDOW = 1024;

/** Largest |x[n] - x[n-1]| for n in [from, to). */
function largestJump(x: Int16Array, from: number, to: number): number {
  let m = 0;
  for (let n = Math.max(1, from); n < Math.min(x.length, to); n++) m = Math.max(m, Math.abs(x[n]! - x[n - 1]!));
  return m;
}

/** Largest |a[n] - b[n]| for n in [from, to). */
function largestError(a: Int16Array, b: Int16Array, from: number, to: number): number {
  let m = 0;
  for (let n = Math.max(0, from); n < Math.min(a.length, b.length, to); n++) m = Math.max(m, Math.abs(a[n]! - b[n]!));
  return m;
}

/** Compares the output's audio with the source's around every seam and everywhere else. */
async function seamFigures(jobId: string, sourceKey: string) {
  const manifest = await getJson<Manifest>(videoKeys.manifest(jobId));
  const seams = manifest.chunks.flatMap((c) => (c.audio && c.audio.startSample > 0 ? [c.audio.startSample] : []));
  const [out, src] = await Promise.all([decodedAudio(videoKeys.output(jobId)), decodedAudio(sourceKey)]);
  const nearSeam = (n: number) => seams.some((s) => Math.abs(n - s) < WINDOW);
  // Away from the seams (and from the track's own ends), in WINDOW-long stretches.
  let innerJump = 0;
  let innerError = 0;
  for (let from = WINDOW; from + WINDOW < src.length - WINDOW; from += WINDOW) {
    if (nearSeam(from) || nearSeam(from + WINDOW)) continue;
    innerJump = Math.max(innerJump, largestJump(out, from, from + WINDOW));
    innerError = Math.max(innerError, largestError(out, src, from, from + WINDOW));
  }
  return {
    seams,
    samples: { out: out.length, src: src.length },
    innerJump,
    innerError,
    seamJump: Math.max(...seams.map((s) => largestJump(out, s - WINDOW, s + WINDOW))),
    seamError: Math.max(...seams.map((s) => largestError(out, src, s - WINDOW, s + WINDOW))),
    // The tone itself, for scale: its largest step between samples.
    toneJump: largestJump(src, 0, src.length),
  };
}

describe('video audio in segments (real S3, ffmpeg)', function () {
  this.timeout(120_000);
  useLocalServices();

  it('a 16 s pure tone in 8 segments: the source’s samples, in place, and no seam larger than a step inside a segment', async () => {
    const jobId = 'v-audio-tone';
    // A tiny picture keeps the video cheap; the audio is a 440 Hz tone at 48 kHz.
    const key = await uploadClip(jobId, { width: 64, height: 36, fps: '10', gop: 10, durationSeconds: 16, audio: true, sampleRate: 48000 });
    const out = await runPipeline({ ...jobInput(jobId, key, { chunkSeconds: 2, height: 36 }), maxConcurrency: 8 });
    expect(out.chunks.map((c) => c.audioKey !== null)).to.deep.equal(new Array(8).fill(true));

    const f = await seamFigures(jobId, key);
    expect(f.seams).to.have.length(7);
    // What one encode gives: the source's samples, plus at most the padding of the last AAC frame.
    expect(f.samples.out - f.samples.src).to.be.within(0, 1023);
    // The test: no step across a seam larger than the largest inside the segments.
    expect(f.seamJump).to.be.at.most(f.innerJump);
    // Sharper: every sample near a seam is as close to the source as samples elsewhere. A seam one
    // sample off would be off by a whole step of the tone (~250 here), a lost frame by far more.
    expect(f.innerError).to.be.below(f.toneJump / 2);
    expect(f.seamError).to.be.at.most(f.innerError);
  });

  it('a Matroska source (timestamps in milliseconds, not samples) is encoded as one segment, exactly', async () => {
    const jobId = 'v-audio-mkv';
    const key = await withTempDir(async (dir) => {
      const path = join(dir, 'source.mkv');
      await generateClip(path, { width: 64, height: 36, fps: '10', gop: 10, durationSeconds: 6, audio: true, sampleRate: 48000 });
      const k = jobKeys.input(jobId, 'source.mkv');
      await uploadFile(path, k);
      return k;
    });
    const out = await runPipeline(jobInput(jobId, key, { chunkSeconds: 2, height: 36 }));
    // Only the first chunk carries audio: the whole track, never cut.
    expect(out.chunks.map((c) => c.audioKey !== null)).to.deep.equal([true, false, false]);
    const [src, got] = await Promise.all([decodedAudio(key), decodedAudio(videoKeys.output(jobId))]);
    expect(got.length - src.length).to.be.within(0, 1023);
    expect(largestError(got, src, 0, src.length)).to.be.below(largestJump(src, 0, src.length) / 2);
  });

  it('a 1 s clip cut in three chunks (segments shorter than the pre-roll, a short last one) keeps its samples and seams', async () => {
    const jobId = 'v-audio-1s';
    // Keyframes every 0.4 s: chunks 0-0.4, 0.4-0.8, 0.8-1.0.
    const key = await uploadClip(jobId, { width: 64, height: 36, fps: '25', gop: 10, durationSeconds: 1, audio: true, sampleRate: 44100 });
    const out = await runPipeline(jobInput(jobId, key, { chunkSeconds: 0.4, height: 36 }));
    expect(out.plan.chunkCount).to.equal(3);
    expect(out.merged.verification.ok).to.equal(true);

    const f = await seamFigures(jobId, key);
    expect(f.seams).to.have.length(2);
    expect(f.samples.out - f.samples.src).to.be.within(0, 1023);
    expect(f.seamJump).to.be.at.most(f.innerJump);
    expect(f.seamError).to.be.at.most(Math.max(f.innerError, 1));
  });
});
