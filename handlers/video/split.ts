// Lambda: cuts the source into video-only chunks at the planned keyframes and extracts the audio.
import { setJobStep } from '../lib/progress';
import { videoKeys } from './keys';
import { manifestTask } from './manifest-task';
import { splitSource } from './split-source';

export interface SplitOutput {
  jobId: string;
  chunkCount: number;
  audioKey: string | null;
}

export const handler = manifestTask({
  name: 'video-split',
  step: { name: 'split' },
  work: ({ loaded, log }) => splitSource(loaded, log),
  marker: videoKeys.splitMarker,
  outputs: (r) => [...r.chunkKeys, ...(r.audioKey ? [r.audioKey] : []), ...(r.audioTimelineKey ? [r.audioTimelineKey] : [])],
  // The chunks' step: they run as many parallel tasks, none of which should write it.
  after: (_r, { jobId }) => setJobStep(jobId, 'transcode'),
  respond: (r, { jobId }): SplitOutput => ({ jobId, chunkCount: r.chunkKeys.length, audioKey: r.audioKey }),
});
