// Reads what the pipeline needs to know about a source file, and rejects files it cannot process
// with an InvalidInput that says why: not media, no video, truncated, unreadable audio.
import { countAudioSamples, displayRotation, FfmpegFailed, mainAudioStream, mainVideoStream, parseRational, probe, videoPackets, type VideoPackets } from '../lib/ffmpeg';
import { InvalidInput } from '../lib/errors';
import type { Keyframe } from './chunk-plan';
import type { Manifest } from './manifest';

export interface SourceFacts {
  source: Manifest['source'];
  keyframes: Keyframe[];
  /** Time span of all packets, discarded ones included: what the chunks cover. */
  packetSpan: { startTime: number; endTime: number };
  /** Edit-list frames before the first and after the last shown frame. */
  discarded: { leading: number; trailing: number };
}

// ffprobe names the local temp copy; the person reading the error knows the S3 key.
function unreadable(path: string, key: string, err: FfmpegFailed): InvalidInput {
  const said = (err.stderrTail.slice(-2).join(' | ') || `exit code ${err.exitCode}`).split(path).join(key);
  return new InvalidInput(`Input is not a readable media file: ffprobe says: ${said}`, { key }, { cause: err });
}

/** `path` is the downloaded copy of `key`; `key` is only used to name the file in errors. */
export async function inspectSource(path: string, key: string): Promise<SourceFacts> {
  let info;
  try {
    info = await probe(path);
  } catch (err) {
    if (err instanceof FfmpegFailed) throw unreadable(path, key, err);
    throw err;
  }
  const video = mainVideoStream(info);
  if (!video) {
    const kinds = info.streams.map((s) => s.codec_type).join(', ') || 'none';
    throw new InvalidInput(`Input has no video stream (streams: ${kinds})`, { key });
  }
  // The average rate (frames / duration) is right for variable-rate video too, where r_frame_rate
  // may be a timebase-like 1000/1; it sets the cost estimate and the one-frame duration tolerance.
  const frameRate = video.avg_frame_rate && parseRational(video.avg_frame_rate) ? video.avg_frame_rate : video.r_frame_rate;
  const fps = parseRational(frameRate);
  if (!fps || !frameRate || !video.width || !video.height) {
    throw new InvalidInput(`Input video stream has no usable size or frame rate (${video.width}x${video.height}, ${frameRate})`, { key });
  }

  const rotation = displayRotation(video);
  if (rotation !== 0 && rotation !== 90 && rotation !== 180 && rotation !== 270) {
    throw new InvalidInput(`Input video is rotated by ${rotation} degrees; only multiples of 90 are supported`, { key });
  }

  let packets: VideoPackets;
  try {
    packets = await videoPackets(path, video.index);
  } catch (err) {
    if (err instanceof FfmpegFailed) throw unreadable(path, key, err);
    throw err;
  }
  // A truncated file whose index survived (moov first) still probes fine; reading the packets is
  // where the missing data shows up, as errors and as fewer packets than the index promises.
  if (packets.errors.length > 0) {
    throw new InvalidInput(`Input is truncated or corrupt: ${packets.errors.slice(-2).join(' | ').split(path).join(key)}`, { key });
  }
  if (packets.shown.count === 0) throw new InvalidInput('Input video stream has no frames to show', { key });
  if (packets.discarded.inside > 0) {
    throw new InvalidInput(`Input has an edit list that hides ${packets.discarded.inside} frames inside the video; re-mux or re-encode it first`, { key });
  }
  if (video.nb_frames !== undefined && Number.isFinite(video.nb_frames) && video.nb_frames > 0 && video.nb_frames !== packets.count) {
    throw new InvalidInput(`Input is truncated: its index lists ${video.nb_frames} video frames but only ${packets.count} are present`, { key });
  }

  const audioStream = mainAudioStream(info);
  let audio: Manifest['source']['audio'] = null;
  if (audioStream) {
    let counted;
    try {
      counted = await countAudioSamples(path);
    } catch (err) {
      if (err instanceof FfmpegFailed) {
        throw new InvalidInput(`Input audio cannot be decoded: ${err.stderrTail.slice(-2).join(' | ').split(path).join(key)}`, { key });
      }
      throw err;
    }
    audio = {
      streamIndex: audioStream.index,
      codec: audioStream.codec_name ?? 'unknown',
      sampleRate: counted.sampleRate,
      channels: audioStream.channels ?? 0,
      samples: counted.samples,
    };
  }

  return {
    source: {
      format: info.format?.format_name ?? 'unknown',
      video: {
        streamIndex: video.index,
        codec: video.codec_name ?? 'unknown',
        width: video.width,
        height: video.height,
        rotation,
        frameRate,
        fps,
        frameCount: packets.shown.count,
        packetCount: packets.count,
        startTime: packets.shown.startTime,
        endTime: packets.shown.endTime,
        durationSeconds: packets.shown.endTime - packets.shown.startTime,
      },
      audio,
    },
    keyframes: packets.keyframes,
    packetSpan: { startTime: packets.startTime, endTime: packets.endTime },
    discarded: { leading: packets.discarded.leading, trailing: packets.discarded.trailing },
  };
}
