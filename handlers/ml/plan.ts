// The plan Prepare writes and every later ML task reads: the normalized job, its input object, the
// dataset's summary and each trial's training config. In S3, not in the state payload.
import { z } from 'zod';
import { jobFingerprint, type JobFingerprint } from '../lib/job-fingerprint';
import { putJson } from '../lib/s3';
import { readStoredJson } from '../lib/stored-json';
import { mlJobSchema, type MlJob } from './job-input';
import { mlKeys } from './keys';
import type { PrepareSummary } from './prepare-dataset';
import { trainConfigSchema, type TrainConfig } from './train/train-config';

const planSchema = z.object({
  version: z.literal(1),
  jobId: z.string(),
  job: mlJobSchema,
  inputObject: z.object({ key: z.string(), size: z.number(), etag: z.string() }),
  // Written by Prepare alone, from prepareDataset's own typed result.
  dataset: z.custom<PrepareSummary>((v) => typeof v === 'object' && v !== null && 'layoutKey' in v),
  /** One training config per trial; trial i trains trials[i]. */
  trials: z.array(trainConfigSchema).min(1),
  /** Train turns of each trial before its loop continues in a fresh execution (the job's budget shared). */
  turnsPerTrial: z.number().int().min(1),
});

export type MlPlan = z.infer<typeof planSchema>;

export function planFingerprint(plan: Pick<MlPlan, 'job' | 'inputObject'>): JobFingerprint {
  return jobFingerprint(plan.job, [plan.inputObject]);
}

/** Trial 0 is the job's own settings; more trials come from trialConfigs (evaluate/trials.ts). */
export function baseTrainConfig(job: MlJob, dataset: PrepareSummary): TrainConfig {
  return trainConfigSchema.parse({
    task: dataset.task,
    width: dataset.width,
    classes: dataset.task === 'classification' ? dataset.classes.length : 0,
    hidden: job.hidden,
    optimizer: job.optimizer,
    learningRate: job.learningRate,
    batchSize: job.batchSize,
    seed: job.seed,
    epochs: job.epochs,
    patience: job.patience,
  });
}

export async function writePlan(plan: MlPlan): Promise<void> {
  await putJson(mlKeys.plan(plan.jobId), plan);
}

export function readPlan(jobId: string): Promise<MlPlan> {
  return readStoredJson(mlKeys.plan(jobId), planSchema, { missing: `No plan for ML job ${jobId}: run Prepare first`, name: `Plan of ML job ${jobId}` });
}
