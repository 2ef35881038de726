// Synthetic clips from ffmpeg's lavfi sources (testsrc2 + a sine tone): the demo's source and the tests'
// inputs. Every figure of such a clip (frames, samples) follows from the options, never from the code under test.
import { run } from '../../handlers/lib/ffmpeg';

export interface ClipOptions {
  width?: number;
  height?: number;
  /** Frames per second as a rational string, e.g. '25' or '30000/1001'. */
  fps?: string;
  /** Keyframe interval in frames (fixed: scene-cut keyframes are disabled). */
  gop?: number;
  /** B-frames between references, as most real sources have (reordered: decode order differs from display order). */
  bFrames?: number;
  durationSeconds?: number;
  audio?: boolean;
  /** Sample rate of the sine tone. */
  sampleRate?: number;
  /** Write the moov atom first, as a streaming-friendly upload would. */
  faststart?: boolean;
  /** Container picked by extension of the path; this only adds `-f` when set. */
  format?: string;
  /** x264 preset of the generated clip: ultrafast keeps tests quick, the demo uses a realistic one. */
  preset?: string;
}

export const clipDefaults = {
  width: 320,
  height: 180,
  fps: '25',
  gop: 25,
  durationSeconds: 4,
  audio: true,
  sampleRate: 48000,
  faststart: false,
  bFrames: 0,
  preset: 'ultrafast',
} as const;

/** Frames a clip of `durationSeconds` at `fps` holds: testsrc2 emits every frame starting before the end. */
export function expectedFrames(fps: string, durationSeconds: number): number {
  const [n, d = '1'] = fps.split('/');
  return Math.ceil((Number(n) / Number(d)) * durationSeconds - 1e-9);
}

/** Writes a clip to `path`: H.264 (yuv444p for odd sizes, which 4:2:0 cannot hold) and optionally AAC. */
export async function generateClip(path: string, options: ClipOptions = {}): Promise<void> {
  const o = { ...clipDefaults, ...options };
  const odd = o.width % 2 === 1 || o.height % 2 === 1;
  // Each source ends by itself (duration=): capping the output with -frames:v would cut the audio short.
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${o.width + (o.width % 2)}x${o.height + (o.height % 2)}:rate=${o.fps}:duration=${o.durationSeconds}`];
  if (o.audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${o.sampleRate}:duration=${o.durationSeconds}`);
  args.push(
    '-map', '0:v',
    // testsrc2 only makes even sizes: scale to the odd one asked for.
    '-vf', `scale=${o.width}:${o.height}`,
    '-c:v', 'libx264', '-preset', o.preset,
    '-g', String(o.gop), '-keyint_min', String(o.gop), '-sc_threshold', '0',
    '-bf', String(o.bFrames),
    '-pix_fmt', odd ? 'yuv444p' : 'yuv420p',
  );
  if (o.audio) args.push('-map', '1:a', '-c:a', 'aac', '-b:a', '96k');
  if (o.faststart) args.push('-movflags', '+faststart');
  if (o.format) args.push('-f', o.format);
  args.push(path);
  await run('ffmpeg', args);
}

/** An audio-only file (m4a) of the given length. */
export async function generateAudioOnly(path: string, durationSeconds = 2): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${durationSeconds}`, '-c:a', 'aac', path]);
}

