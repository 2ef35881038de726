// Lambda: validates the job, probes the input and writes the chunk plan (work/manifest.json).
import { createLogger, withInvocation } from '../lib/logger';
import { runOnce, taskMarkerKey } from '../lib/idempotency';
import { setJobStep, setJobTotal, startJob } from '../lib/progress';
import { head } from '../lib/s3';
import { parseEvent } from '../lib/validation';
import type { VideoContext } from './context';
import { videoJobSchema } from './job-input';
import { readManifest } from './manifest';
import { assertSameJob, planJob, type ProbeResult } from './plan-job';

const logger = createLogger('video-probe');

export const handler = async (event: unknown, context: VideoContext): Promise<ProbeResult> => {
  const job = parseEvent(videoJobSchema, event);
  const log = withInvocation(logger, { jobId: job.jobId, context });
  await startJob(job.jobId, { step: 'probe', totalUnits: 0 });
  const { result, reused } = await runOnce({
    markerKey: taskMarkerKey(job.jobId, 'probe'),
    work: () => planJob(job, log),
    // work/ expires: a marker whose plan is gone must not be trusted.
    outputKeys: (r) => [r.manifestKey, r.chunksKey],
  });
  if (reused) {
    assertSameJob(await readManifest(job.jobId), job, await head(job.input.key));
    log.info('reused existing plan', { chunks: result.chunkCount });
  }
  // Also after a reuse: the first attempt may have died between its marker and these updates.
  await setJobTotal(job.jobId, result.chunkCount);
  await setJobStep(job.jobId, 'split');
  return result;
};
