// Lambda: cuts the source into video-only chunks at the planned keyframes and extracts the audio.
import { setJobStep } from '../lib/progress';
import { defineTask } from '../lib/task';
import { jobRefSchema } from './job-input';
import { videoKeys } from './keys';
import { jobFingerprintOf, readManifest } from './manifest';
import { splitSource } from './split-source';

export interface SplitOutput {
  jobId: string;
  chunkCount: number;
  audioKey: string | null;
}

export const handler = defineTask({
  name: 'video-split',
  event: jobRefSchema,
  load: ({ jobId }) => readManifest(jobId),
  step: { name: 'split' },
  work: ({ loaded, log }) => splitSource(loaded, log),
  once: {
    marker: ({ jobId }) => videoKeys.splitMarker(jobId),
    fingerprint: ({ loaded }) => jobFingerprintOf(loaded),
    outputs: (r) => [...r.chunkKeys, ...(r.audioKey ? [r.audioKey] : [])],
  },
  after: (_r, { jobId }) => setJobStep(jobId, 'transcode'),
  respond: (r, { jobId }): SplitOutput => ({ jobId, chunkCount: r.chunkKeys.length, audioKey: r.audioKey }),
});
