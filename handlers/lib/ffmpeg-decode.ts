// Checks that need decoding: exact audio sample counts and decode errors.
import { FfmpegFailed, run } from './ffmpeg-run';
import { mainAudioStream, mainVideoStream, probe } from './ffmpeg-probe';

/**
 * Decodes the first audio stream and counts its samples (per channel). Decoding is the only
 * container-independent count: mkv has no sample totals and mp4 totals ignore encoder priming.
 */
export async function countAudioSamples(path: string): Promise<{ samples: number; sampleRate: number }> {
  const info = await probe(path);
  const audio = mainAudioStream(info);
  if (!audio) return { samples: 0, sampleRate: 0 };
  let bytes = 0;
  // Mono signed 16-bit at the stream's own rate: 2 bytes per sample, no resampling.
  await run('ffmpeg', ['-v', 'error', '-i', path, '-map', `0:${audio.index}`, '-ac', '1', '-f', 's16le', '-acodec', 'pcm_s16le', 'pipe:1'], {
    onStdout: (chunk) => {
      bytes += chunk.length;
    },
  });
  return { samples: bytes / 2, sampleRate: audio.sample_rate ?? 0 };
}

export interface DecodeCheck {
  /** What ffmpeg reported at `-v error` while decoding everything: empty means a clean decode. */
  errors: string[];
  /** Decoded samples per channel of the first audio stream; null without audio. */
  audio: { samples: number; sampleRate: number } | null;
}

/**
 * One decoding pass over the whole file: every video frame to the null muxer (any corruption is
 * reported on stderr) and the first audio stream to mono PCM on stdout, whose bytes we count.
 * `video: false` decodes the audio only: decoding an hour of video costs minutes.
 */
export async function decodeCheck(path: string, opts: { video?: boolean } = {}): Promise<DecodeCheck> {
  const info = await probe(path);
  const video = opts.video === false ? undefined : mainVideoStream(info);
  const audio = mainAudioStream(info);
  const args = ['-v', 'error', '-i', path];
  if (video) args.push('-map', `0:${video.index}`, '-f', 'null', '-');
  if (audio) args.push('-map', `0:${audio.index}`, '-ac', '1', '-acodec', 'pcm_s16le', '-f', 's16le', 'pipe:1');
  if (!video && !audio) return { errors: opts.video === false ? [] : ['no video or audio stream'], audio: null };
  let bytes = 0;
  let errors: string[];
  try {
    const { stderrTail } = await run('ffmpeg', args, { tailLines: 20, onStdout: (c) => (bytes += c.length) });
    errors = stderrTail;
  } catch (err) {
    if (!(err instanceof FfmpegFailed)) throw err;
    errors = err.stderrTail.length ? err.stderrTail : [err.message];
  }
  return { errors, audio: audio ? { samples: bytes / 2, sampleRate: audio.sample_rate ?? 0 } : null };
}
