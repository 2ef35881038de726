// Test helpers: run the video handlers in sequence in-process, as the state machine would, and
// measure outputs with ffprobe/ffmpeg directly (not through the code under test).
import './logs-silent';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { run } from '../../../handlers/lib/ffmpeg';
import { uploadFile, downloadToFile } from '../../../handlers/lib/s3';
import { jobKeys } from '../../../handlers/lib/storage-layout';
import { withWorkDir } from '../../../handlers/lib/workdir';
import type { LambdaContext } from '../../../handlers/lib/lambda-context';
import { handler as probe } from '../../../handlers/video/probe';
import { handler as split } from '../../../handlers/video/split';
import { handler as transcodeChunk } from '../../../handlers/video/transcode-chunk';
import { handler as merge } from '../../../handlers/video/merge';
import { handler as recordFailure } from '../../../handlers/shared/record-failure';
import { generateClip, rotateByMetadata, trimByEditList, type ClipOptions } from '../../support/media';
import './logs-restored';

export { probe, split, transcodeChunk, merge, recordFailure };

/** A Lambda-like context whose remaining time really runs down. */
export function fakeContext(functionName: string, timeoutMs = 900_000): LambdaContext {
  const deadline = Date.now() + timeoutMs;
  return { awsRequestId: randomUUID(), functionName, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}

/** A scratch directory removed afterwards: the handlers' own. */
export const withTempDir = withWorkDir;

/** Generates a clip and uploads it as the job's input; returns its key. */
export async function uploadClip(jobId: string, clip: ClipOptions): Promise<string> {
  const [key] = await uploadSameClip([jobId], clip);
  return key!;
}

/** One generated clip uploaded as the input of several jobs (byte-identical sources). */
export async function uploadSameClip(jobIds: readonly string[], clip: ClipOptions): Promise<string[]> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'source.mp4');
    await generateClip(path, clip);
    const keys: string[] = [];
    for (const jobId of jobIds) {
      const key = jobKeys.input(jobId, 'source.mp4');
      await uploadFile(path, key);
      keys.push(key);
    }
    return keys;
  });
}

/** A generated clip transformed by `edit` (src, dst) before upload as the job's input. */
async function uploadEditedClip(jobId: string, clip: ClipOptions, edit: (src: string, dst: string) => Promise<void>): Promise<string> {
  return withTempDir(async (dir) => {
    const full = join(dir, 'full.mp4');
    const path = join(dir, 'source.mp4');
    await generateClip(full, clip);
    await edit(full, path);
    const key = jobKeys.input(jobId, 'source.mp4');
    await uploadFile(path, key);
    return key;
  });
}

/** A clip trimmed at `trimSeconds` by an edit list (see trimByEditList). */
export const uploadTrimmedClip = (jobId: string, clip: ClipOptions, trimSeconds: number) =>
  uploadEditedClip(jobId, clip, (src, dst) => trimByEditList(src, dst, trimSeconds));

/** A clip tagged to be displayed rotated (see rotateByMetadata). */
export const uploadRotatedClip = (jobId: string, clip: ClipOptions, degrees: number) =>
  uploadEditedClip(jobId, clip, (src, dst) => rotateByMetadata(src, dst, degrees));

/** Worst-frame PSNR above which two lossy encodes show the same frames: one frame off scores ~24 dB, a wrong turn ~6 dB. */
export const SAME_FRAMES_MIN_PSNR = 30;

export interface JobOptions {
  chunkSeconds?: number | null;
  height?: number;
}

export function jobInput(jobId: string, key: string, o: JobOptions = {}) {
  return {
    jobId,
    input: { key },
    output: { height: o.height ?? 120, crf: 30, preset: 'ultrafast', audioBitrateKbps: 96 },
    chunkSeconds: o.chunkSeconds ?? null,
    maxConcurrency: 4,
  };
}

/** probe → split → every chunk (with its audio segment) → merge, as the ASL orders them. */
export async function runPipeline(input: ReturnType<typeof jobInput>) {
  const plan = await probe(input, fakeContext('VideoProbe'));
  const splitOut = await split({ jobId: input.jobId }, fakeContext('VideoSplit'));
  const chunks = [];
  for (let index = 0; index < plan.chunkCount; index++) {
    chunks.push(await transcodeChunk({ jobId: input.jobId, index }, fakeContext('VideoTranscodeChunk')));
  }
  const merged = await merge({ jobId: input.jobId }, fakeContext('VideoMerge'));
  return { plan, split: splitOut, chunks, merged };
}

export interface MediaFigures {
  width: number;
  height: number;
  /** Decoded video frames (ffprobe -count_frames). */
  frames: number;
  videoDuration: number;
  /** Decoded audio samples (mono PCM bytes / 2); null without an audio stream. */
  audioSamples: number | null;
  /** What `ffmpeg -v error -i out -f null -` prints. */
  decodeOutput: string;
  /** MD5 of the decoded video frames: equal means the same pictures. */
  videoMd5: string;
  /** Display rotation players would apply (0: shown as stored). */
  rotation: number;
}

/** Downloads `key` and measures it with plain ffprobe/ffmpeg invocations. */
export async function measure(key: string): Promise<MediaFigures> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'out.mp4');
    await downloadToFile(key, path);
    const { stdout } = await run('ffprobe', [
      '-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,width,height,nb_read_frames,duration:stream_side_data=rotation', '-of', 'json', path,
    ]);
    type Stream = { codec_type: string; width?: number; height?: number; nb_read_frames?: string; duration?: string; side_data_list?: { rotation?: number }[] };
    const streams = (JSON.parse(stdout) as { streams: Stream[] }).streams;
    const v = streams.find((s) => s.codec_type === 'video');
    if (!v) throw new Error('output has no video stream');
    const hasAudio = streams.some((s) => s.codec_type === 'audio');
    let audioSamples: number | null = null;
    if (hasAudio) {
      let bytes = 0;
      await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:a:0', '-ac', '1', '-f', 's16le', 'pipe:1'], { onStdout: (c) => (bytes += c.length) });
      audioSamples = bytes / 2;
    }
    const { stderrTail } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { tailLines: 20 });
    const md5 = await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'md5', 'pipe:1']);
    return {
      width: v.width ?? 0,
      height: v.height ?? 0,
      frames: Number(v.nb_read_frames),
      videoDuration: Number(v.duration),
      audioSamples,
      decodeOutput: stderrTail.join('\n'),
      videoMd5: md5.stdout.trim(),
      rotation: Math.abs(v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0),
    };
  });
}

/**
 * The worst per-frame PSNR (dB) of the pipeline's output against ONE monolithic ffmpeg transcode of
 * the same source with the same settings. Both are lossy, so not bit-equal, but the same frames in
 * the same order score far above 30 dB; a frame shifted, dropped or duplicated scores far below.
 */
export async function minPsnrAgainstMonolithic(outputKey: string, sourceKey: string, input: ReturnType<typeof jobInput>): Promise<number> {
  return withTempDir(async (dir) => {
    const [src, out, ref] = [join(dir, 'src.mp4'), join(dir, 'out.mp4'), join(dir, 'ref.mp4')];
    await downloadToFile(sourceKey, src);
    await downloadToFile(outputKey, out);
    const o = input.output;
    await run('ffmpeg', [
      '-v', 'error', '-y', '-i', src, '-map', '0:v:0', '-vf', `scale=-2:${o.height}`,
      '-c:v', 'libx264', '-preset', o.preset, '-crf', String(o.crf), '-pix_fmt', 'yuv420p', ref,
    ]);
    const stats = join(dir, 'psnr.log');
    await run('ffmpeg', ['-v', 'error', '-i', out, '-i', ref, '-lavfi', `[0:v][1:v]psnr=stats_file=${stats}`, '-f', 'null', '-']);
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(stats, 'utf8')).trim().split('\n');
    const perFrame = lines.map((l) => {
      const m = /psnr_avg:(inf|[\d.]+)/.exec(l);
      if (!m) throw new Error(`unexpected psnr line: ${l}`);
      return m[1] === 'inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
    });
    return Math.min(...perFrame);
  });
}

/** Decoded audio samples of an S3 object's first audio stream, measured directly with ffmpeg. */
export async function audioSamplesOf(key: string): Promise<number> {
  return withTempDir(async (dir) => {
    const path = join(dir, 'f.mp4');
    await downloadToFile(key, path);
    let bytes = 0;
    await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:a:0', '-ac', '1', '-f', 's16le', 'pipe:1'], { onStdout: (c) => (bytes += c.length) });
    return bytes / 2;
  });
}
