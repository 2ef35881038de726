// Reads what the pipeline needs to know about a source file, and rejects files it cannot process
// with an InvalidInput that says why: not media, no video, truncated, unreadable audio. Two reads of
// the source: its header (ffprobe), then one pass over its packets that also decodes the audio.
import { displayRotation, FfmpegFailed, mainAudioStream, mainVideoStream, parseRational, probe, scanMedia, type MediaScan, type VideoPackets } from '../lib/ffmpeg';
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

/** Where the source is read from, and how to name it in errors. */
export interface SourceRef {
  /** A path or URL ffmpeg reads. */
  input: string;
  /** The S3 key: what the person reading an error knows. */
  key: string;
  /** Turns what ffmpeg says about `input` into what it says about `key`. */
  redact: (text: string) => string;
}

function unreadable(src: SourceRef, err: FfmpegFailed): InvalidInput {
  const said = src.redact(err.stderrTail.slice(-2).join(' | ') || `exit code ${err.exitCode}`);
  return new InvalidInput(`Input is not a readable media file: ffprobe says: ${said}`, { key: src.key }, { cause: err });
}

export async function inspectSource(src: SourceRef): Promise<SourceFacts> {
  const { key } = src;
  let info;
  try {
    info = await probe(src.input);
  } catch (err) {
    if (err instanceof FfmpegFailed) throw unreadable(src, err);
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

  const audioStream = mainAudioStream(info);
  let scan: MediaScan;
  try {
    scan = await scanMedia(src.input, video.index, audioStream?.index);
  } catch (err) {
    if (!(err instanceof FfmpegFailed)) throw err;
    // The scan reads every video packet and decodes the audio: a file whose header reads but whose body does not fails here.
    const said = src.redact(err.stderrTail.slice(-2).join(' | ') || `exit code ${err.exitCode}`);
    throw new InvalidInput(`Input cannot be read to its end (video packets and decoded audio): ffmpeg says: ${said}`, { key }, { cause: err });
  }
  const packets: VideoPackets = scan.video;
  // A truncated file whose index survived (moov first) still probes fine; reading the packets is
  // where the missing data shows up, as errors and as fewer packets than the index promises.
  if (packets.errors.length > 0) {
    throw new InvalidInput(`Input is truncated or corrupt: ${src.redact(packets.errors.slice(-2).join(' | '))}`, { key });
  }
  if (packets.shown.count === 0) throw new InvalidInput('Input video stream has no frames to show', { key });
  if (packets.discarded.inside > 0) {
    throw new InvalidInput(`Input has an edit list that hides ${packets.discarded.inside} frames inside the video; re-mux or re-encode it first`, { key });
  }
  if (video.nb_frames !== undefined && Number.isFinite(video.nb_frames) && video.nb_frames > 0 && video.nb_frames !== packets.count) {
    throw new InvalidInput(`Input is truncated: its index lists ${video.nb_frames} video frames but only ${packets.count} are present`, { key });
  }

  // A track that decodes to nothing is no audio to carry.
  const audio: Manifest['source']['audio'] =
    audioStream && scan.audio && scan.audio.samples > 0
      ? {
          streamIndex: audioStream.index,
          codec: audioStream.codec_name ?? 'unknown',
          sampleRate: scan.audio.sampleRate,
          channels: audioStream.channels ?? 0,
          samples: scan.audio.samples,
          startPts: scan.audio.startPts,
          timeBase: audioStream.time_base ?? '',
        }
      : null;

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
