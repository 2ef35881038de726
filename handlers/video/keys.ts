// Every S3 key the video pipeline reads or writes, in one place. All are deterministic per job
// (and per chunk), which is what lets a retried task find its own earlier output.
import { jobKeys } from '../lib/storage-layout';

const pad = (index: number) => String(index).padStart(5, '0');

export const videoKeys = {
  /** The plan written by probe: source facts, output settings, chunk list. */
  manifest: (jobId: string) => jobKeys.work(jobId, 'manifest.json'),
  /** The JSON array the Distributed Map's ItemReader reads: one small item per chunk. */
  chunkItems: (jobId: string) => jobKeys.work(jobId, 'chunks.json'),
  /** Video-only stream-copied piece of the source (split output, uploaded as soon as it is cut). */
  sourceChunk: (jobId: string, index: number) => jobKeys.work(jobId, `split/${pad(index)}.mkv`),
  /** The source's audio track, stream-copied by split so the audio segments never read the video. */
  sourceAudio: (jobId: string, codec: string) => jobKeys.work(jobId, `split/audio.${audioContainer(codec).ext}`),
  /** Where that copy's decoded timeline starts (split measures it): what the segments' sample timestamps count from. */
  sourceAudioTimeline: (jobId: string) => jobKeys.work(jobId, 'split/audio.json'),
  splitMarker: (jobId: string) => jobKeys.work(jobId, 'split/_done.json'),
  encodedChunk: (jobId: string, index: number) => jobKeys.work(jobId, `encoded/${pad(index)}.mp4`),
  encodedChunkMarker: (jobId: string, index: number) => jobKeys.work(jobId, `encoded/${pad(index)}.done.json`),
  /** The chunk's audio segment: AAC frames (ADTS) ready to be joined byte for byte with the others. */
  encodedAudio: (jobId: string, index: number) => jobKeys.work(jobId, `encoded/${pad(index)}.aac`),
  /** Merge's result before verification: published to `output` only once it passed (kept for a look when it failed). */
  mergedVideo: (jobId: string) => jobKeys.work(jobId, 'merge/video.mp4'),
  output: (jobId: string) => jobKeys.output(jobId, 'video.mp4'),
  /** Merge's verification figures; also its idempotency marker, so it is written last. */
  verification: (jobId: string) => jobKeys.output(jobId, 'verification.json'),
};

// The audio segments cut the copied track at sample timestamps, so its container must keep them exact
// (and its timeline one, before and after a seek). QuickTime does, and keeps AAC's encoder delay in its
// edit list; MP4 holds Opus, FLAC and Vorbis (ffmpeg calls that experimental, and drops the Opus end
// trim: the segments trim the end themselves). Matroska, with this ffmpeg, stamps in milliseconds and
// drops AAC's encoder delay: a cut there could be off by a fraction of a millisecond, so a track copied
// to it is encoded as one segment (`exactCuts: false`). A copy keeps its source's timestamps, so the
// source must stamp them exactly too (see sampleExactTimeBase in audio-plan.ts).
const MOV_AUDIO_CODECS = /^(aac|mp3|alac|ac3|eac3|pcm_.*)$/;
// Not Vorbis: its packets' durations in MP4 do not add up to its decoded frames.
const MP4_AUDIO_CODECS = /^(opus|flac)$/;

export interface AudioContainer {
  format: 'mov' | 'mp4' | 'matroska';
  ext: 'mov' | 'm4a' | 'mka';
  /** ffmpeg muxes this codec into this container only with `-strict experimental`. */
  experimental: boolean;
  /** Timestamps exact to the sample: the track can be cut in segments. */
  exactCuts: boolean;
}

/** The container split copies an audio track into, by codec. */
export function audioContainer(codec: string): AudioContainer {
  if (MOV_AUDIO_CODECS.test(codec)) return { format: 'mov', ext: 'mov', experimental: false, exactCuts: true };
  if (MP4_AUDIO_CODECS.test(codec)) return { format: 'mp4', ext: 'm4a', experimental: true, exactCuts: true };
  return { format: 'matroska', ext: 'mka', experimental: false, exactCuts: false };
}
