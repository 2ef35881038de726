// One audio segment to AAC, exactly: encoded with pre-roll so the encoder is warm at the cut (its
// psychoacoustics and bit reservoir settled, as in one long encode) and post-roll so the segment's last
// frames are not the encoder's flush, then trimmed to whole AAC frames. Frame k of an encode (k >= 1)
// decodes to its input's samples [(k-1)*1024, k*1024); frame 0 is the encoder's priming. Keeping, from
// each encode, exactly the frames of its segment makes the segments' frames one frame sequence on one
// grid: joined as bytes they decode like one encode, with the source's sample count and no seam.
import { InternalError } from '../lib/errors';
import { adtsFrames } from '../lib/adts';
import { run } from '../lib/ffmpeg';
import { AAC_FRAME_SAMPLES, type AudioSegment } from './audio-plan';

/**
 * The samples ffmpeg's AAC encoder puts before the input (its first frame, which decoders drop as the mp4
 * edit list says). The joined segments carry this frame once, at the start, so the merge shifts the track
 * back by it for the muxer to write that edit list, as it does for one encode.
 */
export const AAC_PRIMING_SAMPLES = AAC_FRAME_SAMPLES;
/** Warm-up before the cut: enough that a joined tone is as clean at the seam as inside a segment (tested). */
export const PRE_ROLL_SAMPLES = 16 * AAC_FRAME_SAMPLES;
/** Past the cut: the encoder looks a frame ahead, and its last frames flush with silence. */
export const POST_ROLL_SAMPLES = 2 * AAC_FRAME_SAMPLES;
/** ffmpeg seeks this far before the pre-roll and decodes the rest: the first frames after a seek decode without their overlap. */
const SEEK_MARGIN_SECONDS = 1;

export interface SegmentTrack {
  /** Decoded samples per channel of the whole track. */
  samples: number;
  sampleRate: number;
  /** The first decoded sample's timestamp in the copy read, in samples (ffmpeg's timeline with -copyts). */
  startPts: number;
}

export interface SegmentEncode {
  args: string[];
  /**
   * AAC frames the encode must produce: one priming frame plus one per 1024 input samples (rounded up).
   * Undefined for the whole track, encoded as it decodes, as one encode would (the merge's verification judges it).
   */
  frames: number | undefined;
  /** The frames of the segment: [first, last], both included (last infinite: to the end). */
  keep: { first: number; last: number };
}

/** The encode of `segment` from `input` (the track copied by split, read over HTTP) to ADTS on stdout. */
export function segmentEncode(segment: AudioSegment, track: SegmentTrack, input: string, bitrateKbps: number): SegmentEncode {
  const { startSample, endSample } = segment;
  if (startSample % AAC_FRAME_SAMPLES !== 0 || (!segment.final && endSample % AAC_FRAME_SAMPLES !== 0) || endSample <= startSample) {
    throw new InternalError(`Audio segment ${startSample}-${endSample} is not on the ${AAC_FRAME_SAMPLES}-sample grid`);
  }
  const preRoll = Math.min(PRE_ROLL_SAMPLES, startSample);
  const from = startSample - preRoll;
  const to = segment.final ? track.samples : Math.min(track.samples, endSample + POST_ROLL_SAMPLES);
  const frames = 1 + Math.ceil((to - from) / AAC_FRAME_SAMPLES);
  // The first segment keeps the priming frame (the output's edit list hides it, as after one encode).
  const first = startSample === 0 ? 0 : preRoll / AAC_FRAME_SAMPLES + 1;
  const last = segment.final ? Number.POSITIVE_INFINITY : (preRoll + endSample - startSample) / AAC_FRAME_SAMPLES;
  const wholeTrack = startSample === 0 && segment.final;
  const seek = (track.startPts + from) / track.sampleRate - SEEK_MARGIN_SECONDS;
  // atrim counts in samples of the decoded timeline: exact where a seek time in seconds is not. The end too,
  // for the final segment: a copy may decode past the source's last sample (MP4 drops Opus's end trim). A
  // segment from the first sample takes the track from its start: the first frame may be stamped apart
  // from the timeline (see audioTimelineOrigin). The encoder gets the samples renumbered, gap-free.
  const start = from > 0 ? `start_pts=${track.startPts + from}:` : '';
  const trim = `atrim=${start}end_pts=${track.startPts + to},asetpts=N/SR/TB`;
  // The whole track needs no cut: it is encoded as it decodes.
  const filter = wholeTrack ? [] : ['-af', trim];
  const args = [
    '-v', 'error',
    // A seek to 0 drops the first frame with this ffmpeg: seek only when there is something to skip.
    ...(seek > 0 ? ['-ss', seek.toFixed(6)] : []),
    '-copyts', '-i', input,
    '-map', '0:a:0', '-vn', '-sn', '-dn',
    ...filter,
    '-c:a', 'aac', '-b:a', `${bitrateKbps}k`,
    '-f', 'adts', 'pipe:1',
  ];
  return { args, frames: wholeTrack ? undefined : frames, keep: { first, last } };
}

/** Encodes the segment and returns its frames (ADTS) ready to be joined; checks the encode's length first. */
export async function encodeAudioSegment(
  segment: AudioSegment,
  track: SegmentTrack,
  input: string,
  bitrateKbps: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const encode = segmentEncode(segment, track, input, bitrateKbps);
  const parts: Buffer[] = [];
  await run('ffmpeg', encode.args, { signal, onStdout: (c) => parts.push(c) });
  const frames = adtsFrames(Buffer.concat(parts));
  // A seek that landed late or a track shorter than probed would shift every later sample: refuse it.
  if (encode.frames !== undefined && frames.length !== encode.frames) {
    throw new InternalError(
      `Audio segment ${segment.startSample}-${segment.endSample} encoded to ${frames.length} AAC frames instead of ${encode.frames}: refusing to publish it`,
    );
  }
  return Buffer.concat(frames.slice(encode.keep.first, encode.keep.last + 1));
}
