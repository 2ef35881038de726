// Every S3 key the ML pipeline's tasks write besides the dataset (dataset-keys.ts), deterministic per job
// and per trial, which is what lets a retried task find its own earlier output.
import { jobKeys } from '../lib/storage-layout';

const pad = (trial: number) => String(trial).padStart(3, '0');

export const mlKeys = {
  /** Prepare's plan: the normalized job, the dataset summary and each trial's training config. */
  plan: (jobId: string) => jobKeys.work(jobId, 'ml/plan.json'),
  /** One training loop's JSON checkpoint; its weights objects sit beside it (weights-object.ts). */
  checkpoint: (jobId: string, trial: number) => jobKeys.work(jobId, `ml/trial-${pad(trial)}/checkpoint.json`),
  modelJson: (jobId: string) => jobKeys.output(jobId, 'model/model.json'),
  weights: (jobId: string) => jobKeys.output(jobId, 'model/weights.bin'),
  preprocessing: (jobId: string) => jobKeys.output(jobId, 'preprocessing.json'),
  curves: (jobId: string) => jobKeys.output(jobId, 'curves.svg'),
  trials: (jobId: string) => jobKeys.output(jobId, 'trials.json'),
  /** Written last by Evaluate: its presence means every other output is complete. */
  metrics: (jobId: string) => jobKeys.output(jobId, 'metrics.json'),
};

/** A trial's id in the progress table (its failures) and in its epochs' unit ids. */
export const trialTaskId = (trial: number) => `trial-${pad(trial)}`;
export const epochTaskId = (trial: number, epoch: number) => `${trialTaskId(trial)}-epoch-${String(epoch).padStart(5, '0')}`;
