// One pass over a media file that tells everything probe needs of its contents: every video packet (time,
// keyframe and edit-list flags, read without decoding) and the exact decoded audio sample count. ffmpeg
// stream-copies the video and decodes the audio into its `framecrc` muxer, which prints one line per
// packet with integer timestamps; read over HTTP, the source is fetched once instead of once per tool.
// The same ffmpeg build then cuts the file at split, so plan and cut read packets alike.
import { run } from './ffmpeg-run';
import { PacketTally, type VideoPackets } from './packet-tally';

export interface AudioScan {
  /** Decoded samples per channel. */
  samples: number;
  sampleRate: number;
  /** Timestamp of the first decoded sample, in samples (ffmpeg's timeline with `-copyts`). */
  startPts: number;
}

export interface MediaScan {
  video: VideoPackets;
  /** null when no audio stream was asked for. */
  audio: AudioScan | null;
}

/** framecrc's `F=0x..` flags (printed when they are not just "key"). */
const KEY_FLAG = 0x1;
const DISCARD_FLAG = 0x4;
/** AV_NOPTS_VALUE as framecrc prints it. */
const NO_PTS = '-9223372036854775808';

export function scanArgs(input: string, videoStream: number, audioStream: number | undefined): string[] {
  return [
    // Source timestamps as they are: the scan's times must be those split and the audio segments cut by.
    '-v', 'error', '-copyts', '-i', input,
    '-map', `0:${videoStream}`, '-c:v', 'copy',
    // Mono 16-bit PCM: two bytes per sample, whatever the source's channels.
    ...(audioStream === undefined ? [] : ['-map', `0:${audioStream}`, '-c:a', 'pcm_s16le', '-ac', '1']),
    '-f', 'framecrc', 'pipe:1',
  ];
}

/** Reads framecrc's lines, one at a time: `#tb 0: 1/12800` headers, then `stream, dts, pts, duration, size, crc[, F=0x..]`. */
export class FramecrcReader {
  private readonly timeBase = new Map<number, number>();
  private readonly tally = new PacketTally();
  private audioBytes = 0;
  private audioStartPts: number | undefined;
  private sampleRate = 0;

  result(errors: string[], withAudio: boolean): MediaScan {
    return {
      video: this.tally.result(errors),
      audio: withAudio ? { samples: this.audioBytes / 2, sampleRate: this.sampleRate, startPts: this.audioStartPts ?? 0 } : null,
    };
  }

  line(line: string): void {
    if (line.startsWith('#')) {
      const tb = /^#tb (\d+): (\d+)\/(\d+)$/.exec(line);
      if (tb) this.timeBase.set(Number(tb[1]), Number(tb[2]) / Number(tb[3]));
      const rate = /^#sample_rate 1: (\d+)$/.exec(line);
      if (rate) this.sampleRate = Number(rate[1]);
      return;
    }
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 6) return;
    const [stream, , pts, duration, size, , flagsText] = fields;
    if (stream === '0') {
      const tb = this.timeBase.get(0) ?? Number.NaN;
      const flags = flagsText?.startsWith('F=') ? Number.parseInt(flagsText.slice(2), 16) : KEY_FLAG;
      this.tally.add({
        pts: pts === NO_PTS ? Number.NaN : Number(pts) * tb,
        duration: Number(duration) * tb,
        key: (flags & KEY_FLAG) !== 0,
        discard: (flags & DISCARD_FLAG) !== 0,
      });
    } else if (stream === '1') {
      // The PCM stream's time base is one sample.
      if (this.audioStartPts === undefined && pts !== NO_PTS) this.audioStartPts = Number(pts);
      this.audioBytes += Number(size);
    }
  }
}

/**
 * Scans `input` (a path or an http:// URL) once. Throws FfmpegFailed when ffmpeg cannot read it; what
 * ffmpeg complained about while reading (a truncated file) comes back in `video.errors`.
 */
export async function scanMedia(input: string, videoStream: number, audioStream: number | undefined): Promise<MediaScan> {
  const reader = new FramecrcReader();
  const { stderrTail } = await run('ffmpeg', scanArgs(input, videoStream, audioStream), { tailLines: 5, onLine: (line) => reader.line(line) });
  return reader.result(stderrTail, audioStream !== undefined);
}

/**
 * Where the decoded timeline of `input`'s first audio stream starts, in samples (`-copyts`): the timestamp
 * the first decoded sample would have if every frame followed the one before. Taken from the second frame
 * (its timestamp less the first frame's samples): a copied track may stamp its first, shortened frame
 * apart from the rest (MP4 does so with Opus's pre-skip), and cuts made at sample timestamps count from here.
 */
export async function audioTimelineOrigin(input: string): Promise<number> {
  const frames: { pts: number; samples: number }[] = [];
  await run('ffmpeg', ['-v', 'error', '-copyts', '-i', input, '-map', '0:a:0', '-c:a', 'pcm_s16le', '-ac', '1', '-frames:a', '2', '-f', 'framecrc', 'pipe:1'], {
    onLine: (line) => {
      const f = line.split(',').map((x) => x.trim());
      // Mono 16-bit: two bytes a sample.
      if (f[0] === '0' && f.length >= 6 && f[2] !== NO_PTS) frames.push({ pts: Number(f[2]), samples: Number(f[4]) / 2 });
    },
  });
  const [first, second] = frames;
  if (!first) throw new Error(`No audio frame decoded from ${input}`);
  return second ? second.pts - first.samples : first.pts;
}
