// Every S3 key the video pipeline reads or writes, in one place. All are deterministic per job
// (and per chunk), which is what lets a retried task find its own earlier output.
import { jobKeys } from '../lib/storage-layout';

const pad = (index: number) => String(index).padStart(5, '0');

export const videoKeys = {
  /** The plan written by probe: source facts, output settings, chunk list. */
  manifest: (jobId: string) => jobKeys.work(jobId, 'manifest.json'),
  /** The JSON array the Distributed Map's ItemReader reads: one small item per chunk. */
  chunkItems: (jobId: string) => jobKeys.work(jobId, 'chunks.json'),
  /** Video-only stream-copied piece of the source (split output). */
  sourceChunk: (jobId: string, index: number) => jobKeys.work(jobId, `split/${pad(index)}.mkv`),
  /** The source's audio track, stream-copied by split so transcode-audio never downloads the video. */
  sourceAudio: (jobId: string, codec: string) => jobKeys.work(jobId, `split/audio.${audioContainer(codec).ext}`),
  splitMarker: (jobId: string) => jobKeys.work(jobId, 'split/_done.json'),
  encodedChunk: (jobId: string, index: number) => jobKeys.work(jobId, `encoded/${pad(index)}.mp4`),
  encodedChunkMarker: (jobId: string, index: number) => jobKeys.work(jobId, `encoded/${pad(index)}.done.json`),
  encodedAudio: (jobId: string) => jobKeys.work(jobId, 'audio/audio.m4a'),
  encodedAudioMarker: (jobId: string) => jobKeys.work(jobId, 'audio/_done.json'),
  /** Merge's result before verification: published to `output` only once it passed (kept for a look when it failed). */
  mergedVideo: (jobId: string) => jobKeys.work(jobId, 'merge/video.mp4'),
  output: (jobId: string) => jobKeys.output(jobId, 'video.mp4'),
  /** Merge's verification figures; also its idempotency marker, so it is written last. */
  verification: (jobId: string) => jobKeys.output(jobId, 'verification.json'),
};

// QuickTime keeps AAC's encoder delay in its edit list; Matroska (with this ffmpeg) drops it and
// the copied track would decode 1024 samples late. Codecs QuickTime cannot hold go to Matroska.
const MOV_AUDIO_CODECS = /^(aac|mp3|alac|ac3|eac3|pcm_.*)$/;

/** The container split copies an audio track into, by codec. */
export function audioContainer(codec: string): { format: 'mov' | 'matroska'; ext: 'mov' | 'mka' } {
  return MOV_AUDIO_CODECS.test(codec) ? { format: 'mov', ext: 'mov' } : { format: 'matroska', ext: 'mka' };
}
