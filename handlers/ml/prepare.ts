// Lambda: the ML job's first task. Validates the job, checks and prepares the dataset once (shards,
// preprocessing.json, layout: prepare-dataset.ts), writes the plan with each trial's training config and
// starts the job's record; its total units are the epochs the trials may train.
import { taskMarkerKey } from '../lib/idempotency';
import { headInput } from '../lib/job-fingerprint';
import { setJobStep, setJobTotal } from '../lib/progress';
import { defineTask } from '../lib/task';
import { datasetKeys } from './dataset-keys';
import { mlJobSchema, type MlJob } from './job-input';
import { mlKeys } from './keys';
import { baseTrainConfig, planFingerprint, writePlan, type MlPlan } from './plan';
import { prepareDataset } from './prepare-dataset';
import { trialConfigsFor } from './trial-plan';

/** The dataset's part of the job (dataset-request.ts). */
function datasetRequest(job: MlJob) {
  const { label, task, features, batchSize, seed, split, shardRows } = job;
  return { label, task, features, batchSize, seed, split, shardRows };
}

/** The Map's items: one per trial, none resumed yet. */
export interface TrialItem {
  trial: number;
  cursor: null;
}

export const handler = defineTask({
  name: 'ml-prepare',
  event: mlJobSchema,
  // HEADed before the marker is read: a replaced input must not find the old plan.
  load: (job) => headInput(job.input.key, job.jobId),
  step: { name: 'prepare', startsJob: true },
  work: async ({ event: job, loaded: inputObject, log }): Promise<MlPlan> => {
    const dataset = await prepareDataset({ jobId: job.jobId, input: job.input, dataset: datasetRequest(job) });
    log.info('dataset prepared', { ...dataset });
    const trials = trialConfigsFor(job, baseTrainConfig(job, dataset));
    const plan: MlPlan = {
      version: 1,
      jobId: job.jobId,
      job,
      inputObject,
      dataset,
      trials,
      turnsPerTrial: Math.max(1, Math.floor(job.turnsPerExecution / trials.length)),
    };
    await writePlan(plan);
    return plan;
  },
  once: {
    marker: ({ jobId }) => taskMarkerKey(jobId, 'prepare'),
    fingerprint: ({ event, loaded }) => planFingerprint({ job: event, inputObject: loaded }),
    outputs: (plan) => [mlKeys.plan(plan.jobId), datasetKeys.layout(plan.jobId), datasetKeys.preprocessing(plan.jobId)],
  },
  // Also after a reuse: the first attempt may have died between its marker and these updates.
  after: async (plan, { jobId }) => {
    await setJobTotal(jobId, plan.trials.reduce((sum, t) => sum + t.epochs, 0));
    await setJobStep(jobId, 'train');
  },
  respond: (plan) => ({
    task: plan.dataset.task,
    rows: plan.dataset.splits,
    items: plan.trials.map((_, trial): TrialItem => ({ trial, cursor: null })),
    turnsPerTrial: plan.turnsPerTrial,
    turnsPerExecution: plan.job.turnsPerExecution,
  }),
});
