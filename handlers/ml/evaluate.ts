// Lambda: the ML job's end. The best trial's model scored on the test split and published with its
// preprocessing, curves, metrics (and the trials' leaderboard) under output/ (evaluate-job.ts); marks
// the job SUCCEEDED with its headline metric in its step.
import { taskMarkerKey } from '../lib/idempotency';
import { finishJob, setJobStep, setJobTotal } from '../lib/progress';
import { getJson } from '../lib/s3';
import { defineTask } from '../lib/task';
import { datasetLayoutSchema } from './dataset-layout';
import { evaluateJob } from './evaluate-job';
import { jobRefSchema } from './job-input';
import { planFingerprint, readPlan } from './plan';

export const handler = defineTask({
  name: 'ml-evaluate',
  event: jobRefSchema,
  load: async ({ jobId }) => {
    const plan = await readPlan(jobId);
    return { plan, layout: datasetLayoutSchema.parse(await getJson(plan.dataset.layoutKey)) };
  },
  step: { name: 'evaluate' },
  work: ({ loaded, log }) => evaluateJob(loaded.plan, loaded.layout, log),
  once: {
    marker: ({ jobId }) => taskMarkerKey(jobId, 'evaluate'),
    fingerprint: ({ loaded }) => planFingerprint(loaded.plan),
    outputs: (r) => r.outputs,
  },
  // Early stopping trains fewer epochs than planned: the total becomes what was trained, so a finished
  // job reads n/n. Both are no-ops once the job is SUCCEEDED.
  after: async (r, { jobId }) => {
    await setJobTotal(jobId, r.epochsTrained);
    await setJobStep(jobId, `done: test ${r.headline.name} ${r.headline.value.toFixed(4)}`);
    await finishJob(jobId, { status: 'SUCCEEDED' });
  },
  respond: (r, { reused }) => ({ ...r, reused }),
});
