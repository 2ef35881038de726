// How the audio track is cut into segments, one per video chunk, so no task encodes the whole track. AAC
// codes 1024 samples a frame and each frame overlaps the next, so an encode can only be cut and joined
// at frame boundaries of one grid: every cut is a multiple of 1024 samples from the track's first
// sample, and the segments tile the track exactly (the last one ends where the track ends).
import { InternalError } from '../lib/errors';

/** Samples in one AAC-LC frame. */
export const AAC_FRAME_SAMPLES = 1024;

/**
 * Whether timestamps in `timeBase` ("1/48000") name every sample exactly: one tick a sample or a whole
 * fraction of one (MP4's usual audio timescale is the sample rate). Matroska's milliseconds or MPEG-TS's
 * 90 kHz round them, and a copy keeps the rounding: such a track cannot be cut at exact samples.
 */
export function sampleExactTimeBase(timeBase: string | undefined, sampleRate: number): boolean {
  const m = /^1\/(\d+)$/.exec(timeBase ?? '');
  return m !== null && sampleRate > 0 && Number(m[1]) % sampleRate === 0;
}

/** One segment: samples [startSample, endSample) of the decoded track, counted from its first sample. */
export interface AudioSegment {
  startSample: number;
  endSample: number;
  /** Ends where the track ends: its encode runs to the end of the stream and keeps the encoder's last frame. */
  final: boolean;
}

export interface TrackSpan {
  /** Decoded samples per channel. */
  samples: number;
  sampleRate: number;
  /** Time of the first decoded sample, in seconds, on the video's timeline. */
  startTime: number;
}

/**
 * The segment of each chunk (null when the chunk's time span holds no audio): cut at the frame boundary
 * nearest each chunk's start, so a segment covers about what its chunk shows and costs what the chunk's
 * cost model allots it. Segment 0 starts at the first sample and the final one ends at the last. A track
 * whose copy cannot be cut at exact samples (`exactCuts` false) is one segment, in the first chunk.
 */
export function planAudioSegments(chunkStartTimes: readonly number[], track: TrackSpan, exactCuts = true): (AudioSegment | null)[] {
  const { samples, sampleRate, startTime } = track;
  if (!Number.isInteger(samples) || samples < 0 || !(sampleRate > 0)) {
    throw new InternalError(`planAudioSegments: bad track (${samples} samples at ${sampleRate} Hz)`);
  }
  if (!exactCuts) return chunkStartTimes.map((_t, i) => (i === 0 && samples > 0 ? { startSample: 0, endSample: samples, final: true } : null));
  // Cuts stay on the grid, inside the track, and never go back.
  const lastCut = Math.floor(samples / AAC_FRAME_SAMPLES) * AAC_FRAME_SAMPLES;
  const cuts = [0];
  for (const t of chunkStartTimes.slice(1)) {
    const nearest = Math.round(((t - startTime) * sampleRate) / AAC_FRAME_SAMPLES) * AAC_FRAME_SAMPLES;
    cuts.push(Math.max(cuts[cuts.length - 1]!, Math.min(lastCut, Math.max(0, nearest))));
  }
  cuts.push(samples);
  return chunkStartTimes.map((_t, i) => {
    const [startSample, endSample] = [cuts[i]!, cuts[i + 1]!];
    if (endSample <= startSample) return null;
    return { startSample, endSample, final: endSample === samples };
  });
}
