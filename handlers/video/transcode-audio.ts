// Lambda: transcodes the whole audio track ONCE to AAC. Encoding audio per chunk would add encoder
// priming and padding at every chunk boundary: audible gaps and drift against the video.
import { join } from 'node:path';
import { InternalError } from '../lib/errors';
import { run } from '../lib/ffmpeg';
import { downloadToFile, uploadFile } from '../lib/s3';
import { withWorkDir } from '../lib/workdir';
import { audioContainer, videoKeys } from './keys';
import type { Manifest } from './manifest';
import { manifestTask } from './manifest-task';

export interface AudioOutput {
  jobId: string;
  /** null when the source has no audio: nothing to do. */
  audioKey: string | null;
  reused: boolean;
}

export function audioArgs(m: Manifest, inPath: string, outPath: string): string[] {
  return ['-v', 'error', '-y', '-i', inPath, '-map', '0:a:0', '-vn', '-sn', '-dn', '-c:a', 'aac', '-b:a', `${m.job.output.audioBitrateKbps}k`, '-f', 'mp4', outPath];
}

async function encodeAudio(m: Manifest): Promise<{ audioKey: string }> {
  const codec = m.source.audio?.codec;
  if (codec === undefined) throw new InternalError(`Job ${m.jobId} has no audio track to transcode (skip should have answered)`);
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

export const handler = manifestTask({
  name: 'video-transcode-audio',
  skip: ({ jobId, loaded }): AudioOutput | undefined => (loaded.source.audio ? undefined : { jobId, audioKey: null, reused: false }),
  // Audio is not one of the job's units (chunks are): it is tracked as a task, counted as zero.
  progress: { taskId: () => 'audio', units: 0 },
  work: ({ loaded }) => encodeAudio(loaded),
  marker: videoKeys.encodedAudioMarker,
  outputs: (r) => [r.audioKey],
  respond: (r, { jobId, reused }): AudioOutput => ({ jobId, audioKey: r.audioKey, reused }),
});
