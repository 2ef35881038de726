// Lambda: cuts the source into video-only chunks at the planned keyframes and extracts the audio.
import { createLogger, withInvocation } from '../lib/logger';
import { runOnce } from '../lib/idempotency';
import { setJobStep } from '../lib/progress';
import { parseEvent } from '../lib/validation';
import type { VideoContext } from './context';
import { jobRefSchema } from './job-input';
import { videoKeys } from './keys';
import { readManifest } from './manifest';
import { splitSource } from './split-source';

const logger = createLogger('video-split');

export interface SplitOutput {
  jobId: string;
  chunkCount: number;
  audioKey: string | null;
}

export const handler = async (event: unknown, context: VideoContext): Promise<SplitOutput> => {
  const { jobId } = parseEvent(jobRefSchema, event);
  const log = withInvocation(logger, { jobId, context });
  const manifest = await readManifest(jobId);
  await setJobStep(jobId, 'split');
  const { result, reused } = await runOnce({
    markerKey: videoKeys.splitMarker(jobId),
    work: () => splitSource(manifest, log),
    outputKeys: (r) => [...r.chunkKeys, ...(r.audioKey ? [r.audioKey] : [])],
  });
  if (reused) log.info('reused existing split', { chunks: result.chunkKeys.length });
  await setJobStep(jobId, 'transcode');
  return { jobId, chunkCount: result.chunkKeys.length, audioKey: result.audioKey };
};
