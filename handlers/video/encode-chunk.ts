// Transcode-chunk's work: one video-only chunk to H.264. `-vsync passthrough` keeps every source
// timestamp (no frame dropped or duplicated to fit a rate), which is what makes the concatenated
// chunks frame-exact. ffmpeg is stopped before Lambda's deadline so the failure says what happened.
import { join } from 'node:path';
import type { Deadline } from '../lib/deadline';
import { InternalError, NamedError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { countPackets, run } from '../lib/ffmpeg';
import { downloadToFile, uploadFile } from '../lib/s3';
import { withWorkDir } from '../lib/workdir';
import type { Manifest, ManifestChunk } from './manifest';
import { videoKeys } from './keys';

export interface ChunkResult {
  index: number;
  key: string;
  frames: number;
  encodeSeconds: number;
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

export function encodeArgs(m: Manifest, chunk: ManifestChunk, inPath: string, outPath: string): string[] {
  const s = m.job.output;
  const filters = [keepFilter(chunk), ROTATE_FILTERS[m.source.video.rotation], `scale=-2:${s.height}`].filter(Boolean);
  return [
    // Rotation comes from the manifest, not from whatever tag survived the Matroska copy.
    '-v', 'error', '-y', '-noautorotate', '-i', inPath,
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

export async function encodeChunk(
  m: Manifest,
  chunk: ManifestChunk,
  deadline: Deadline,
  log: Logger,
): Promise<ChunkResult> {
  return withWorkDir(async (dir) => {
    const inPath = join(dir, 'in.mkv');
    const outPath = join(dir, 'out.mp4');
    await downloadToFile(videoKeys.sourceChunk(m.jobId, chunk.index), inPath);

    let lastFrame = 0;
    let lastLog = Date.now();
    const started = Date.now();
    try {
      await deadline.withSignal((signal) => run('ffmpeg', encodeArgs(m, chunk, inPath, outPath), {
        signal,
        onProgress: (p) => {
          lastFrame = p.frame;
          if (Date.now() - lastLog > 30_000) {
            lastLog = Date.now();
            log.info('encoding', { chunk: chunk.index, frame: p.frame, of: chunk.outputFrames, speed: p.speed });
          }
        },
      }));
    } catch (err) {
      if (deadline.aborted()) {
        const key = videoKeys.sourceChunk(m.jobId, chunk.index);
        throw new ChunkOverBudget(
          `Chunk ${chunk.index} (${key}) stopped ${(deadline.marginMs / 1000).toFixed(1)} s before the Lambda timeout at frame ${lastFrame} of ` +
            `${chunk.outputFrames} (estimate was ${Math.round(chunk.estimatedSeconds)} s); use a smaller chunkSeconds`,
          { key, chunk: chunk.index, frame: lastFrame, frames: chunk.outputFrames, estimatedSeconds: chunk.estimatedSeconds },
        );
      }
      throw err;
    }
    const encodeSeconds = (Date.now() - started) / 1000;

    const { video } = await countPackets(outPath);
    if (video !== chunk.outputFrames) {
      throw new InternalError(`Chunk ${chunk.index} encoded to ${video} frames instead of ${chunk.outputFrames}: refusing to publish it`);
    }
    const key = videoKeys.encodedChunk(m.jobId, chunk.index);
    await uploadFile(outPath, key, { contentType: 'video/mp4' });
    return { index: chunk.index, key, frames: video, encodeSeconds };
  });
}
