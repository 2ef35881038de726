// Lambda: validates the job, probes the input and writes the chunk plan (work/manifest.json).
import { capConcurrency } from '../lib/concurrency-cap';
import { headInput, jobFingerprint } from '../lib/job-fingerprint';
import { taskMarkerKey } from '../lib/idempotency';
import { setJobStep, setJobTotal } from '../lib/progress';
import { defineTask } from '../lib/task';
import { videoJobSchema } from './job-input';
import { MANIFEST_VERSION } from './manifest';
import { planJob, type ProbeResult } from './plan-job';

export const handler = defineTask({
  name: 'video-probe',
  event: videoJobSchema,
  // HEADed before the marker is read: a replaced input must not find the old plan.
  load: (job) => headInput(job.input.key, job.jobId),
  step: { name: 'probe', startsJob: true },
  // The plan (and the Map's MaxConcurrencyPath) takes the stack's cap; the fingerprint keeps the job as asked.
  work: ({ event, loaded, log }) => planJob(capConcurrency(event, (m, d) => log.warn(m, d)), loaded, log),
  once: {
    // Named after the manifest version it wrote: a job planned by an earlier version, whose manifest the
    // later tasks can no longer read, is planned again instead of failing at split.
    marker: (job) => taskMarkerKey(job.jobId, `probe-v${MANIFEST_VERSION}`),
    fingerprint: ({ event, loaded }) => jobFingerprint(event, [loaded]),
    // work/ expires: a marker whose plan is gone must not be trusted.
    outputs: (r) => [r.manifestKey, r.chunksKey],
  },
  // Also after a reuse: the first attempt may have died between its marker and these updates.
  after: async (r, { jobId }) => {
    await setJobTotal(jobId, r.chunkCount);
    await setJobStep(jobId, 'split');
  },
  respond: (r): ProbeResult => r,
});
