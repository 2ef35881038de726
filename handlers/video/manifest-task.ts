// The tasks after probe share their start: the event names the job, the manifest probe wrote says
// everything else, and the job's fingerprint (kept in the manifest) goes into every marker.
import { defineTask, type FinishedRun, type TaskDefinition, type TaskHandler, type TaskRun } from '../lib/task';
import { jobRefSchema } from './job-input';
import { jobFingerprintOf, readManifest, type Manifest } from './manifest';

type JobRef = { jobId: string };

export interface ManifestTask<R, O> extends Pick<TaskDefinition<JobRef, Manifest, R, O>, 'name' | 'step' | 'skip' | 'progress'> {
  work: (run: TaskRun<JobRef, Manifest>) => Promise<R>;
  /** The marker key, from the job id. */
  marker: (jobId: string) => string;
  outputs: (result: R) => string[];
  after?: (result: R, run: FinishedRun<JobRef, Manifest>) => Promise<void>;
  respond: (result: R, run: FinishedRun<JobRef, Manifest>) => O;
}

export function manifestTask<R, O>(def: ManifestTask<R, O>): TaskHandler<O> {
  const { marker, outputs, ...rest } = def;
  return defineTask<JobRef, Manifest, R, O>({
    ...rest,
    event: jobRefSchema,
    load: ({ jobId }) => readManifest(jobId),
    once: { marker: ({ jobId }) => marker(jobId), fingerprint: ({ loaded }) => jobFingerprintOf(loaded), outputs },
  });
}
