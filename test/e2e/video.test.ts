// The video pipeline end to end: asl/video.asl.json on our engine, every task in its own Lambda worker,
// against local S3 and DynamoDB. Figures are measured here with ffprobe/ffmpeg directly, and compared
// with what the clip was generated to hold, never with what the pipeline reports about itself.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { getJob } from '../../handlers/lib/progress';
import { head } from '../../handlers/lib/s3';
import { binaryPath } from '../../handlers/lib/ffmpeg';
import { expectedFrames, generateClip } from '../support/media';
import { videoOutputSchema, videoPipeline } from '../../handlers/video/pipeline';
import { runJob, type JobEvent, type JobRunOptions, type JobSummary } from '../../local/run/job-runner';
import type { InvokeOutcome } from '../../local/lambda/types';
import { useLocalStack } from '../support/stack';

const exec = promisify(execFile);

async function ffprobeJson(path: string, args: string[]): Promise<{ streams: Record<string, string>[]; format?: Record<string, string> }> {
  const { stdout } = await exec(await binaryPath('ffprobe'), ['-v', 'error', ...args, '-of', 'json', path]);
  return JSON.parse(stdout) as { streams: Record<string, string>[] };
}

async function measure(path: string) {
  const frames = await ffprobeJson(path, ['-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height']);
  const format = await ffprobeJson(path, ['-show_entries', 'format=duration']);
  const audio = await ffprobeJson(path, ['-select_streams', 'a', '-show_entries', 'stream=index']);
  // Decoded audio samples: mono s16le bytes / 2.
  const pcm =
    audio.streams.length === 0
      ? Buffer.alloc(0)
      : (
          await exec(await binaryPath('ffmpeg'), ['-v', 'error', '-i', path, '-map', '0:a:0', '-ac', '1', '-f', 's16le', 'pipe:1'], {
            encoding: 'buffer',
            maxBuffer: 64 * 1024 * 1024,
          })
        ).stdout;
  const { stderr: decodeErrors } = await exec(await binaryPath('ffmpeg'), ['-v', 'error', '-i', path, '-f', 'null', '-']);
  const v = frames.streams[0]!;
  return {
    frames: Number(v.nb_read_frames),
    width: Number(v.width),
    height: Number(v.height),
    durationSeconds: Number(format.format!.duration),
    audioSamples: pcm.length / 2,
    decodeErrors,
  };
}

describe('video pipeline end to end (engine + Lambda workers + local S3/DynamoDB)', function () {
  this.timeout(300_000);
  let dir: string;
  const localStack = useLocalStack();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-video-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const clip = { width: 320, height: 180, fps: '25', gop: 25, durationSeconds: 6, audio: true, sampleRate: 48000 };
  let first: JobSummary;
  const videoOf = (s: JobSummary) => videoOutputSchema.parse(s.result.output);
  const settings = { output: { height: 120 }, chunkSeconds: 2, maxConcurrency: 2 };

  it('transcodes a clip in chunks to exactly the source frames, duration and audio', async () => {
    const source = join(dir, 'source.mp4');
    await generateClip(source, clip);
    const output = join(dir, 'out.mp4');
    first = await runJob({ pipeline: videoPipeline, files: { input: source }, settings, outputPath: output, stack: localStack() });
    expect(first.result.status, `${first.result.error}: ${first.result.cause}`).to.equal('SUCCEEDED');
    expect(videoOf(first).chunks).to.equal(3);

    const frames = expectedFrames(clip.fps, clip.durationSeconds); // 150
    const m = await measure(output);
    const src = await measure(source);
    expect(src.frames).to.equal(frames);
    expect(m.frames).to.equal(frames);
    expect(m.height).to.equal(120);
    expect(m.width % 2).to.equal(0);
    expect(Math.abs(m.durationSeconds - clip.durationSeconds)).to.be.at.most(1 / 25 + 1e-3);
    // Against the source as measured, not the generator's nominal length: AAC pads its last frame.
    expect(src.audioSamples).to.be.above(0);
    expect(Math.abs(m.audioSamples - src.audioSamples)).to.be.at.most(1024);
    expect(m.decodeErrors).to.equal('');

    // What an operator sees in DynamoDB.
    const job = await getJob(first.jobId);
    expect(job?.status).to.equal('SUCCEEDED');
    expect(job?.doneUnits).to.equal(3);
    expect(job?.totalUnits).to.equal(3);
  });

  /** Runs a job while recording what every VideoTranscodeChunk invocation returned, and the upload event. */
  async function runObserved(opts: Omit<JobRunOptions, 'pipeline' | 'stack' | 'onEvent'>) {
    const chunkOutcomes: InvokeOutcome[] = [];
    const uploads: Extract<JobEvent, { kind: 'uploaded' }>[] = [];
    const stop = localStack().observeInvocations((r) => r.functionName === 'VideoTranscodeChunk' && chunkOutcomes.push(r.outcome));
    try {
      const summary = await runJob({ ...opts, pipeline: videoPipeline, stack: localStack(), onEvent: (e) => e.kind === 'uploaded' && uploads.push(e) });
      return { summary, chunkOutcomes, uploads };
    } finally {
      stop();
    }
  }

  it('re-running a finished job returns its output without transcoding again', async () => {
    const before = await head(videoOf(first).outputKey);
    const { summary: again, chunkOutcomes, uploads } = await runObserved({ files: { input: join(dir, 'source.mp4') }, settings });
    expect(again.result.status).to.equal('SUCCEEDED');
    expect(again.jobId).to.equal(first.jobId);
    expect(videoOf(again).reused).to.equal(true);
    // The jobId was derived from the content: the same file is not uploaded again.
    expect(uploads.map((u) => u.skipped)).to.deep.equal([true]);
    // Every chunk task ran and found its marker: none was transcoded again.
    expect(chunkOutcomes).to.have.lengthOf(3);
    for (const outcome of chunkOutcomes) {
      expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
      expect((outcome as { payload: { reused: boolean } }).payload.reused).to.equal(true);
    }
    const after = await head(videoOf(first).outputKey);
    expect(after?.etag).to.equal(before?.etag);
    expect(after?.lastModified?.getTime()).to.equal(before?.lastModified?.getTime());
  });

  it('a given jobId always uploads its input, and a different input under it is refused at probe', async () => {
    const same = await runObserved({ files: { input: join(dir, 'source.mp4') }, jobId: first.jobId, settings });
    // Same bytes: uploaded (nothing about a given jobId says the object there is this file), then reused.
    expect(same.uploads.map((u) => u.skipped)).to.deep.equal([false]);
    expect(same.summary.result.status, `${same.summary.result.error}: ${same.summary.result.cause}`).to.equal('SUCCEEDED');
    expect(videoOf(same.summary).reused).to.equal(true);

    const other = join(dir, 'other.mp4');
    await generateClip(other, { ...clip, durationSeconds: 2 });
    const changed = await runObserved({ files: { input: other }, jobId: first.jobId, settings });
    expect(changed.summary.result.status).to.equal('FAILED');
    expect(changed.summary.result.error).to.equal('JobMismatch');
    expect(changed.summary.result.cause).to.contain(`jobs/${first.jobId}/input/source.mp4 is not the object it started with`);
    expect(changed.chunkOutcomes).to.deep.equal([]);
  });

  it('a source without audio, at 29.97 fps and an odd size, comes out frame-exact', async () => {
    const source = join(dir, 'silent.mp4');
    await generateClip(source, { width: 641, height: 361, fps: '30000/1001', gop: 30, durationSeconds: 3, audio: false });
    const output = join(dir, 'silent-out.mp4');
    const s = await runJob({ pipeline: videoPipeline, files: { input: source }, outputPath: output, settings: { output: { height: 180 }, chunkSeconds: 1 }, stack: localStack() });
    expect(s.result.status, `${s.result.error}: ${s.result.cause}`).to.equal('SUCCEEDED');
    const m = await measure(output);
    expect(m.frames).to.equal(expectedFrames('30000/1001', 3));
    expect(m.audioSamples).to.equal(0);
    expect(m.width % 2).to.equal(0);
    expect(m.decodeErrors).to.equal('');
  });

  it('bad input fails the execution at probe with a named error and marks the job FAILED', async () => {
    const textFile = join(dir, 'notes.mp4');
    await (await import('node:fs/promises')).writeFile(textFile, 'this is not a video\n'.repeat(50));
    const s = await runJob({ pipeline: videoPipeline, files: { input: textFile }, stack: localStack() });
    expect(s.result.status).to.equal('FAILED');
    expect(s.result.error).to.equal('InvalidInput');
    expect(Object.keys(s.byFunction)).to.not.include('VideoSplit');
    const job = await getJob(s.jobId);
    expect(job?.status).to.equal('FAILED');
    expect(job?.error).to.equal('InvalidInput');
  });
});
