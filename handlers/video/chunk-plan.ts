// How a video is cut into chunks: how long each should be (a cost model against the transcode
// function's timeout) and where exactly to cut (only at keyframes, so stream copy needs no
// re-encode and every chunk decodes on its own).
import { InternalError, InvalidInput } from '../lib/errors';

export const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
export type Preset = (typeof PRESETS)[number];

/*
 * Cost model. Transcoding one frame costs decoding the source picture plus encoding the scaled
 * output picture, both roughly linear in pixels. Rates are megapixels per second on ONE Lambda
 * vCPU for hard, real-world content: measured on testsrc2 (an easy source) at about 3-4x these
 * figures (decode 720p H.264 ~550 Mpx/s, x264 veryfast ~125-150 Mpx/s on one core of the dev
 * machine), then divided for margin. At 3008 MB Lambda gives ~1.7 vCPU; we still assume one.
 * The budget per chunk is a third of the timeout, so even an estimate wrong by 3x, on top of the
 * pessimistic rates, finishes in time.
 */
export const DECODE_MPX_PER_SECOND = 100;
export const ENCODE_MPX_PER_SECOND: Record<Preset, number> = {
  ultrafast: 120,
  superfast: 80,
  veryfast: 40,
  faster: 25,
  fast: 18,
  medium: 12,
  slow: 6,
  slower: 3,
  veryslow: 1.5,
};
/**
 * Encoding a second of audio (ffmpeg's AAC encoder) on one Lambda vCPU: about 20 ms measured here on a
 * tone, set 4x higher for stereo, hard content. Each chunk task encodes its span's audio segment too.
 */
export const AUDIO_ENCODE_SECONDS_PER_SECOND = 0.08;
/** Share of the transcode timeout a chunk is planned to use. */
export const BUDGET_FRACTION = 1 / 3;
/** Above this share of the timeout a planned chunk is refused: it would risk a timeout. */
export const REFUSE_FRACTION = 0.8;
/**
 * Automatic chunks carry at least this much estimated work (seconds): each task also pays a fixed
 * second or two (invoke, download, encoder start, upload), which must stay small beside its work.
 */
export const MIN_AUTO_CHUNK_WORK_SECONDS = 20;
/** Automatic sizing aims for this many chunks per concurrent task, to even out uneven keyframe spacing. */
export const CHUNKS_PER_WORKER = 2;

export interface CostInput {
  fps: number;
  sourceWidth: number;
  sourceHeight: number;
  outputWidth: number;
  outputHeight: number;
  preset: Preset;
  /** The source has audio: each chunk also encodes its span's audio segment. */
  withAudio?: boolean;
}

/** Estimated seconds of transcode work per second of source: the video, and the audio segment of the span. */
export function costPerSourceSecond(c: CostInput): number {
  const decode = (c.sourceWidth * c.sourceHeight) / (DECODE_MPX_PER_SECOND * 1e6);
  const encode = (c.outputWidth * c.outputHeight) / (ENCODE_MPX_PER_SECOND[c.preset] * 1e6);
  return c.fps * (decode + encode) + (c.withAudio ? AUDIO_ENCODE_SECONDS_PER_SECOND : 0);
}

/** Output width for a target height, keeping the aspect ratio and even (what `scale=-2:H` does). */
export function outputWidthFor(sourceWidth: number, sourceHeight: number, height: number): number {
  return Math.max(2, 2 * Math.round((sourceWidth * height) / sourceHeight / 2));
}

export interface TargetInput extends CostInput {
  durationSeconds: number;
  timeoutSeconds: number;
  maxConcurrency: number;
  /** From the job input; null lets the model decide. */
  chunkSeconds: number | null;
}

export interface ChunkTarget {
  targetSeconds: number;
  source: 'auto' | 'input';
  costPerSourceSecond: number;
  /** Longest chunk (in source seconds) that still fits the refusal limit. */
  maxSeconds: number;
}

/**
 * Chunk length to aim for. Automatic: enough chunks to keep `maxConcurrency` workers busy twice
 * over, but none with less than MIN_AUTO_CHUNK_WORK_SECONDS of estimated work and none longer
 * than the budget allows (the budget wins).
 * An explicit chunkSeconds is honoured unless its estimate passes REFUSE_FRACTION of the timeout.
 */
export function chunkTarget(t: TargetInput): ChunkTarget {
  const cost = costPerSourceSecond(t);
  const budgetSeconds = (t.timeoutSeconds * BUDGET_FRACTION) / cost;
  const maxSeconds = (t.timeoutSeconds * REFUSE_FRACTION) / cost;
  if (t.chunkSeconds !== null) {
    if (t.chunkSeconds > maxSeconds) {
      throw new InvalidInput(
        `chunkSeconds ${t.chunkSeconds} is too long: a chunk would take about ${Math.round(t.chunkSeconds * cost)} s against a ` +
          `${t.timeoutSeconds} s timeout; use at most ${Math.floor(maxSeconds)}`,
        { field: 'chunkSeconds' },
      );
    }
    return { targetSeconds: t.chunkSeconds, source: 'input', costPerSourceSecond: cost, maxSeconds };
  }
  const spread = t.durationSeconds / (CHUNKS_PER_WORKER * t.maxConcurrency);
  const target = Math.min(Math.max(spread, MIN_AUTO_CHUNK_WORK_SECONDS / cost), budgetSeconds);
  return { targetSeconds: target, source: 'auto', costPerSourceSecond: cost, maxSeconds };
}

export interface Keyframe {
  /** Packet index in demux order (what the segment muxer's `segment_frames` counts). */
  index: number;
  /** Presentation time in seconds. */
  time: number;
}

export interface PlannedChunk {
  index: number;
  startFrame: number;
  frameCount: number;
  startTime: number;
  endTime: number;
}

// Keyframe times come from text with microsecond precision: compare with slack.
const EPSILON = 1e-6;

/**
 * Cuts at the first keyframe at least `targetSeconds` after the previous cut, so chunks never start
 * between keyframes: a GOP longer than the target simply makes fewer, longer chunks. A tail shorter
 * than half the target joins the previous chunk rather than becoming a tiny task of its own.
 */
export function planChunks(
  keyframes: readonly Keyframe[],
  totalFrames: number,
  span: { startTime: number; endTime: number },
  targetSeconds: number,
): PlannedChunk[] {
  if (totalFrames <= 0) throw new InternalError('planChunks: no frames');
  if (!(targetSeconds > 0)) throw new InternalError(`planChunks: targetSeconds must be positive, got ${targetSeconds}`);
  // Frames before the first keyframe (an open GOP at the start) belong to the first chunk.
  const cuts: Keyframe[] = [{ index: 0, time: span.startTime }];
  for (const kf of keyframes) {
    const last = cuts[cuts.length - 1]!;
    if (kf.index <= last.index || kf.index >= totalFrames) continue;
    if (kf.time - last.time >= targetSeconds - EPSILON) cuts.push(kf);
  }
  if (cuts.length > 1 && span.endTime - cuts[cuts.length - 1]!.time < targetSeconds / 2 - EPSILON) cuts.pop();
  return cuts.map((cut, i) => {
    const next = cuts[i + 1];
    return {
      index: i,
      startFrame: cut.index,
      frameCount: (next ? next.index : totalFrames) - cut.index,
      startTime: cut.time,
      endTime: next ? next.time : span.endTime,
    };
  });
}

/** The longest planned chunk must still fit: a 20-minute GOP cannot be cut, so refuse it up front. */
export function assertChunksFit(chunks: readonly PlannedChunk[], target: ChunkTarget, timeoutSeconds: number): void {
  for (const c of chunks) {
    const seconds = c.endTime - c.startTime;
    if (seconds > target.maxSeconds) {
      throw new InvalidInput(
        `Cannot cut the video into chunks that fit the ${timeoutSeconds} s transcode timeout: chunk ${c.index} ` +
          `(${c.startTime.toFixed(3)}-${c.endTime.toFixed(3)} s) has no keyframe inside and would take about ` +
          `${Math.round(seconds * target.costPerSourceSecond)} s. Re-encode the source with more frequent keyframes.`,
        { field: 'input.key' },
      );
    }
  }
}
