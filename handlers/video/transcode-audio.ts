// Lambda: transcodes the whole audio track ONCE to AAC. Encoding audio per chunk would add encoder
// priming and padding at every chunk boundary: audible gaps and drift against the video.
import { join } from 'node:path';
import { run } from '../lib/ffmpeg';
import { downloadToFile, uploadFile } from '../lib/s3';
import { defineTask } from '../lib/task';
import { withWorkDir } from '../lib/workdir';
import { jobRefSchema } from './job-input';
import { audioContainer, videoKeys } from './keys';
import { jobFingerprintOf, readManifest, type Manifest } from './manifest';

export interface AudioOutput {
  jobId: string;
  /** null when the source has no audio: nothing to do. */
  audioKey: string | null;
  reused: boolean;
}

export function audioArgs(m: Manifest, inPath: string, outPath: string): string[] {
  return ['-v', 'error', '-y', '-i', inPath, '-map', '0:a:0', '-vn', '-sn', '-dn', '-c:a', 'aac', '-b:a', `${m.job.output.audioBitrateKbps}k`, '-f', 'mp4', outPath];
}

async function encodeAudio(m: Manifest, codec: string): Promise<{ audioKey: string }> {
  return withWorkDir(async (dir) => {
    const inPath = join(dir, `source.${audioContainer(codec).ext}`);
    const outPath = join(dir, 'audio.m4a');
    await downloadToFile(videoKeys.sourceAudio(m.jobId, codec), inPath);
    await run('ffmpeg', audioArgs(m, inPath, outPath));
    const audioKey = videoKeys.encodedAudio(m.jobId);
    await uploadFile(outPath, audioKey, { contentType: 'audio/mp4' });
    return { audioKey };
  });
}

export const handler = defineTask({
  name: 'video-transcode-audio',
  event: jobRefSchema,
  load: ({ jobId }) => readManifest(jobId),
  skip: ({ jobId, loaded }): AudioOutput | undefined => (loaded.source.audio ? undefined : { jobId, audioKey: null, reused: false }),
  // Audio is not one of the job's units (chunks are): it is tracked as a task, counted as zero.
  progress: { taskId: () => 'audio', units: 0 },
  work: ({ loaded }) => encodeAudio(loaded, loaded.source.audio!.codec),
  once: {
    marker: ({ jobId }) => videoKeys.encodedAudioMarker(jobId),
    fingerprint: ({ loaded }) => jobFingerprintOf(loaded),
    outputs: (r) => [r.audioKey],
  },
  respond: (r, { jobId, reused }): AudioOutput => ({ jobId, audioKey: r.audioKey, reused }),
});
