// The training configs of a job's trials: the job's own settings alone, or with `trials` > 1 that many
// seeded random configurations around them (evaluate/trials.ts; trial 0 is the job's own), each trained
// by its own loop.
import { trialConfigs } from './evaluate/trials';
import type { MlJob } from './job-input';
import type { TrainConfig } from './train/train-config';

export function trialConfigsFor(job: MlJob, base: TrainConfig): TrainConfig[] {
  return job.trials === 1 ? [base] : trialConfigs(job.seed, job.trials, base);
}
