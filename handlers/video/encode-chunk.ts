// Transcode-chunk's work: one video-only chunk to H.264, and the audio segment of its span to AAC, side
// by side. `-vsync passthrough` keeps every source timestamp (no frame dropped or duplicated to fit a
// rate), which is what makes the concatenated chunks frame-exact; the audio segment is cut to whole AAC
// frames (audio-segment.ts), which is what makes the joined segments sample-exact. Both read their input
// in place over HTTP; ffmpeg is stopped before Lambda's deadline so the failure says what happened.
import { join } from 'node:path';
import type { Deadline } from '../lib/deadline';
import { InternalError, NamedError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { countPackets, run } from '../lib/ffmpeg';
import { putBuffer, uploadFile } from '../lib/s3';
import { withRelayedObjects, type ObjectRelay } from '../lib/s3-http-relay';
import { sideBySide } from '../lib/side-by-side';
import { withWorkDir } from '../lib/workdir';
import { readStoredJson } from '../lib/stored-json';
import { encodeAudioSegment } from './audio-segment';
import { audioTimelineSchema } from './split-source';
import type { Manifest, ManifestChunk } from './manifest';
import { videoKeys } from './keys';

export interface ChunkResult {
  index: number;
  key: string;
  /** The span's audio segment (AAC frames, ADTS); null when the source has no audio there. */
  audioKey: string | null;
  frames: number;
  encodeSeconds: number;
  /** The audio segment's encode, which ran beside the video's. */
  audioSeconds: number;
}

/**
 * The chunk did not encode within its function's timeout. Not a TransientError: a retry gets the same
 * budget for the same work and would fail the same way, an hour later; the plan (chunk length) must change.
 */
export class ChunkOverBudget extends NamedError {
  override readonly name = 'ChunkOverBudget';
}

/**
 * Drops the frames an edit list hides (decoded for reference, never shown), by display index.
 * Matroska intermediates do not carry the discard flags, so the plan's counts carry them instead.
 */
export function keepFilter(c: ManifestChunk): string | undefined {
  if (c.skipLeading === 0 && c.skipTrailing === 0) return undefined;
  // Commas inside a filter expression must be escaped from the filtergraph parser.
  return `select=between(n\\,${c.skipLeading}\\,${c.skipLeading + c.outputFrames - 1})`;
}

/** Turns the pixels as a player would turn the picture (what ffmpeg's autorotate does for a monolithic run). */
export const ROTATE_FILTERS: Record<0 | 90 | 180 | 270, string | undefined> = {
  0: undefined,
  90: 'transpose=clock',
  180: 'hflip,vflip',
  270: 'transpose=cclock',
};

export function encodeArgs(m: Manifest, chunk: ManifestChunk, input: string, outPath: string): string[] {
  const s = m.job.output;
  const filters = [keepFilter(chunk), ROTATE_FILTERS[m.source.video.rotation], `scale=-2:${s.height}`].filter(Boolean);
  return [
    // Rotation comes from the manifest, not from whatever tag survived the Matroska copy.
    '-v', 'error', '-y', '-noautorotate', '-i', input,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    // -2: width follows the aspect ratio, rounded to even, as 4:2:0 requires.
    '-vf', filters.join(','),
    // The pixels are turned already: a copied rotate tag would make players turn them again.
    '-metadata:s:v:0', 'rotate=0',
    '-c:v', 'libx264', '-preset', s.preset, '-crf', String(s.crf),
    // 4:2:0 whatever the source (e.g. 4:4:4 at odd sizes): what every player decodes.
    '-pix_fmt', 'yuv420p',
    '-vsync', 'passthrough',
    ...encoderThreads(),
    '-f', 'mp4', outPath,
  ];
}

/**
 * Encoder threads: ffmpeg's default (one per CPU) unless LONGHAUL_FFMPEG_THREADS says otherwise, so a
 * benchmark can give a chunk task and a monolithic run the same CPU budget (one Lambda vCPU, say).
 */
export const FFMPEG_THREADS_ENV = 'LONGHAUL_FFMPEG_THREADS';

export function encoderThreads(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env[FFMPEG_THREADS_ENV]?.trim();
  if (!raw) return [];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InternalError(`${FFMPEG_THREADS_ENV}=${raw} must be a positive integer`);
  return ['-threads', String(n)];
}

async function encodeVideo(m: Manifest, chunk: ManifestChunk, input: string, outPath: string, signal: AbortSignal, log: Logger, progress: { frame: number }): Promise<number> {
  let lastLog = Date.now();
  const started = Date.now();
  await run('ffmpeg', encodeArgs(m, chunk, input, outPath), {
    signal,
    onProgress: (p) => {
      progress.frame = p.frame;
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log.info('encoding', { chunk: chunk.index, frame: p.frame, of: chunk.outputFrames, speed: p.speed });
      }
    },
  });
  return (Date.now() - started) / 1000;
}

async function encodeAudio(m: Manifest, chunk: ManifestChunk, relay: ObjectRelay, signal: AbortSignal): Promise<{ key: string; seconds: number } | null> {
  const track = m.source.audio;
  if (!chunk.audio || !track) return null;
  const started = Date.now();
  const input = relay.url(videoKeys.sourceAudio(m.jobId, track.codec));
  const timeline = await readStoredJson(videoKeys.sourceAudioTimeline(m.jobId), audioTimelineSchema, {
    missing: `No audio timeline for job ${m.jobId}: run the split task first`,
    name: `Audio timeline of job ${m.jobId}`,
  });
  const frames = await encodeAudioSegment(chunk.audio, { ...track, startPts: timeline.startPts }, input, m.job.output.audioBitrateKbps, signal);
  const seconds = (Date.now() - started) / 1000;
  const key = videoKeys.encodedAudio(m.jobId, chunk.index);
  await putBuffer(key, frames, { contentType: 'audio/aac' });
  return { key, seconds };
}

export async function encodeChunk(m: Manifest, chunk: ManifestChunk, deadline: Deadline, log: Logger): Promise<ChunkResult> {
  const sourceKey = videoKeys.sourceChunk(m.jobId, chunk.index);
  const reads = [{ key: sourceKey }];
  if (chunk.audio && m.source.audio) reads.push({ key: videoKeys.sourceAudio(m.jobId, m.source.audio.codec) });
  return withWorkDir((dir) =>
    withRelayedObjects(reads, async (relay) => {
      const outPath = join(dir, 'out.mp4');
      const progress = { frame: 0 };
      let encodeSeconds: number;
      let audio: Awaited<ReturnType<typeof encodeAudio>>;
      try {
        [encodeSeconds, audio] = await deadline.withSignal((signal) =>
          sideBySide(
            [(s) => encodeVideo(m, chunk, relay.url(sourceKey), outPath, s, log, progress), (s) => encodeAudio(m, chunk, relay, s)],
            signal,
          ),
        );
      } catch (err) {
        if (deadline.aborted()) {
          throw new ChunkOverBudget(
            `Chunk ${chunk.index} (${sourceKey}) stopped ${(deadline.marginMs / 1000).toFixed(1)} s before the Lambda timeout at frame ${progress.frame} of ` +
              `${chunk.outputFrames} (estimate was ${Math.round(chunk.estimatedSeconds)} s); use a smaller chunkSeconds`,
            { key: sourceKey, chunk: chunk.index, frame: progress.frame, frames: chunk.outputFrames, estimatedSeconds: chunk.estimatedSeconds },
          );
        }
        throw err;
      }

      const { video } = await countPackets(outPath);
      if (video !== chunk.outputFrames) {
        throw new InternalError(`Chunk ${chunk.index} encoded to ${video} frames instead of ${chunk.outputFrames}: refusing to publish it`);
      }
      const key = videoKeys.encodedChunk(m.jobId, chunk.index);
      await uploadFile(outPath, key, { contentType: 'video/mp4' });
      return { index: chunk.index, key, audioKey: audio?.key ?? null, frames: video, encodeSeconds, audioSeconds: audio?.seconds ?? 0 };
    }),
  );
}
