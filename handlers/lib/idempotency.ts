// Run-once for tasks: a task that finds its completion marker returns the recorded result
// instead of redoing the work.
//
// Contract for `work`: write every output to a DETERMINISTIC key (derived from the job id and
// the task's input, never from time or randomness), so a re-run after a crash overwrites the
// same objects instead of leaving orphans beside them. The marker is written LAST, only after
// `work` resolved, so its presence proves every output is complete.
import { getJson, head, putJson } from './s3';
import { InvalidInput } from './errors';
import { jobKeys } from './storage-layout';

interface Marker<T> {
  completedAt: string;
  result: T;
}

export interface RunOnceOptions<T> {
  /** Where the marker lives, e.g. `taskMarkerKey(jobId, 'split')`. */
  markerKey: string;
  work: () => Promise<T>;
  bucket?: string;
}

/** The conventional marker key for one task of a job. */
export function taskMarkerKey(jobId: string, taskId: string): string {
  return jobKeys.work(jobId, `markers/${taskId}.json`);
}

/** Runs `work` unless its marker exists; `reused` says which happened. The result must be JSON. */
export async function runOnce<T>(opts: RunOnceOptions<T>): Promise<{ result: T; reused: boolean }> {
  const bucketOpt = { bucket: opts.bucket };
  if (await head(opts.markerKey, bucketOpt)) {
    const marker = await getJson<Marker<T>>(opts.markerKey, bucketOpt);
    if (typeof marker !== 'object' || marker === null || !('completedAt' in marker)) {
      throw new InvalidInput(`Object at ${opts.markerKey} is not a completion marker`, { key: opts.markerKey });
    }
    return { result: marker.result, reused: true };
  }
  const result = await opts.work();
  const marker: Marker<T> = { completedAt: new Date().toISOString(), result };
  await putJson(opts.markerKey, marker, bucketOpt);
  return { result, reused: false };
}
