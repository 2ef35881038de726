// Lambda: transcodes the whole audio track ONCE to AAC. Encoding audio per chunk would add encoder
// priming and padding at every chunk boundary: audible gaps and drift against the video.
import { join } from 'node:path';
import { createLogger, withInvocation } from '../lib/logger';
import { runOnce } from '../lib/idempotency';
import { run } from '../lib/ffmpeg';
import { downloadToFile, uploadFile } from '../lib/s3';
import { recordTaskDone, recordTaskStart } from '../lib/progress';
import { parseEvent } from '../lib/validation';
import type { VideoContext } from './context';
import { jobRefSchema } from './job-input';
import { audioContainer, videoKeys } from './keys';
import { readManifest, type Manifest } from './manifest';
import { withWorkDir } from './workdir';

const logger = createLogger('video-transcode-audio');

export interface AudioOutput {
  jobId: string;
  /** null when the source has no audio: nothing to do. */
  audioKey: string | null;
  reused: boolean;
}

export function audioArgs(m: Manifest, inPath: string, outPath: string): string[] {
  return ['-v', 'error', '-y', '-i', inPath, '-map', '0:a:0', '-vn', '-sn', '-dn', '-c:a', 'aac', '-b:a', `${m.settings.audioBitrateKbps}k`, '-f', 'mp4', outPath];
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

export const handler = async (event: unknown, context: VideoContext): Promise<AudioOutput> => {
  const { jobId } = parseEvent(jobRefSchema, event);
  const log = withInvocation(logger, { jobId, context });
  const manifest = await readManifest(jobId);
  const audio = manifest.source.audio;
  if (!audio) {
    log.info('no audio track: skipped');
    return { jobId, audioKey: null, reused: false };
  }
  const started = Date.now();
  await recordTaskStart(jobId, 'audio');
  const { result, reused } = await runOnce({
    markerKey: videoKeys.encodedAudioMarker(jobId),
    work: () => encodeAudio(manifest, audio.codec),
    outputKeys: (r) => [r.audioKey],
  });
  // Audio is not one of the job's units (chunks are): it is tracked as a task, counted as zero.
  await recordTaskDone(jobId, 'audio', { durationMs: Date.now() - started, units: 0 });
  return { jobId, audioKey: result.audioKey, reused };
};
