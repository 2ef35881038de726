// Lambda: joins the chunks and the audio into output/video.mp4, verifies it against the source,
// records the figures (output/verification.json) and marks the job SUCCEEDED.
import { createLogger, withInvocation } from '../lib/logger';
import { runOnce } from '../lib/idempotency';
import { finishJob, setJobStep } from '../lib/progress';
import { parseEvent } from '../lib/validation';
import type { VideoContext } from './context';
import { jobRefSchema } from './job-input';
import { videoKeys } from './keys';
import { readManifest } from './manifest';
import { mergeChunks, type MergeResult } from './merge-chunks';

const logger = createLogger('video-merge');

export interface MergeOutput extends MergeResult {
  jobId: string;
  verificationKey: string;
  reused: boolean;
}

export const handler = async (event: unknown, context: VideoContext): Promise<MergeOutput> => {
  const { jobId } = parseEvent(jobRefSchema, event);
  const log = withInvocation(logger, { jobId, context });
  const manifest = await readManifest(jobId);
  await setJobStep(jobId, 'merge');
  // The verification record is the marker: it exists only once the output is published.
  const { result, reused } = await runOnce({
    markerKey: videoKeys.verification(jobId),
    work: () => mergeChunks(manifest, log),
    outputKeys: (r) => [r.outputKey],
  });
  await finishJob(jobId, { status: 'SUCCEEDED' });
  return { jobId, ...result, verificationKey: videoKeys.verification(jobId), reused };
};
