// Lambda: joins the chunks and the audio into output/video.mp4, verifies it against the source,
// records the figures (output/verification.json) and marks the job SUCCEEDED.
import { finishJob } from '../lib/progress';
import { videoKeys } from './keys';
import { manifestTask } from './manifest-task';
import { mergeChunks, type MergeResult } from './merge-chunks';

export interface MergeOutput extends MergeResult {
  jobId: string;
  verificationKey: string;
  reused: boolean;
}

export const handler = manifestTask({
  name: 'video-merge',
  step: { name: 'merge' },
  work: ({ loaded, log }) => mergeChunks(loaded, log),
  // The verification record is the marker: it exists only once the output is published.
  marker: videoKeys.verification,
  outputs: (r) => [r.outputKey],
  after: (_r, { jobId }) => finishJob(jobId, { status: 'SUCCEEDED' }),
  respond: (r, { jobId, reused }): MergeOutput => ({ jobId, ...r, verificationKey: videoKeys.verification(jobId), reused }),
});
