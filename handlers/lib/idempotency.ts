// Run-once for tasks: a task that finds its completion marker returns the recorded result
// instead of redoing the work.
//
// Contract for `work`: write every output to a DETERMINISTIC key (derived from the job id and
// the task's input, never from time or randomness), so a re-run after a crash overwrites the
// same objects instead of leaving orphans beside them. The marker is written LAST, only after
// `work` resolved, so its presence proves every output was complete when it was written.
//
// A marker also records the job it was written for (settings and input objects, job-fingerprint.ts):
// found under the same key for another job, it is refused with JobMismatch, so no pipeline needs
// its own "same job, same settings" check.
//
// A marker is trusted only as far as it can be: one that cannot be read or is not a marker is
// ignored (the work is redone, which its deterministic keys make safe), and with `outputKeys` a
// marker whose outputs have since gone (work/ objects expire under the bucket's lifecycle rule,
// possibly before their marker) is ignored too.
import { forEachLimit } from './for-each-limit';
import { createLogger } from './logger';
import { InputNotFound } from './errors';
import { assertSameJob, type JobFingerprint } from './job-fingerprint';
import { getJson, head, putJson } from './s3';
import { jobKeys } from './storage-layout';
import { isTransient } from './transient';

interface Marker<T> {
  completedAt: string;
  /** The job this result belongs to; absent in markers of tasks run without one. */
  job?: JobFingerprint;
  result: T;
}

export interface RunOnceOptions<T> {
  /** Where the marker lives, e.g. `taskMarkerKey(jobId, 'split')`. */
  markerKey: string;
  work: () => Promise<T>;
  bucket?: string;
  /**
   * The keys the recorded result depends on. When a marker exists, each is HEADed and the work is
   * redone if any is missing. Omit to trust the marker alone.
   */
  outputKeys?: (result: T) => string[];
  /** The job the work belongs to: recorded in the marker, and a marker of another job is refused (JobMismatch). */
  job?: { jobId: string; fingerprint: JobFingerprint };
}

const logger = createLogger('longhaul-idempotency');
const OUTPUT_CHECK_CONCURRENCY = 16;

/** The conventional marker key for one task of a job. */
export function taskMarkerKey(jobId: string, taskId: string): string {
  return jobKeys.work(jobId, `markers/${taskId}.json`);
}

function isMarker<T>(value: unknown): value is Marker<T> {
  // No `result` check: a work that resolved to undefined has none once stored as JSON.
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'completedAt' in value;
}

/** The recorded marker, or undefined when there is none or it cannot be trusted (logged). */
async function readMarker<T>(opts: RunOnceOptions<T>, bucketOpt: { bucket?: string }): Promise<Marker<T> | undefined> {
  let marker: unknown;
  try {
    marker = await getJson<unknown>(opts.markerKey, bucketOpt);
  } catch (err) {
    // Throttling or a dropped connection says nothing about the marker: let the task retry.
    if (isTransient(err)) throw err;
    // No marker (the usual first run), or not JSON (a half-written object): do the work.
    if (!(err instanceof InputNotFound)) logger.warn('Ignoring an unreadable completion marker; redoing the work', { key: opts.markerKey, error: (err as Error).message });
    return undefined;
  }
  if (!isMarker<T>(marker)) {
    logger.warn('Ignoring an object at the marker key that is not a completion marker; redoing the work', { key: opts.markerKey });
    return undefined;
  }
  if (opts.job) {
    if (!marker.job) {
      logger.warn('Ignoring a completion marker that does not say which job it belongs to; redoing the work', { key: opts.markerKey });
      return undefined;
    }
    assertSameJob(opts.job.jobId, marker.job, opts.job.fingerprint, `marker ${opts.markerKey} of ${marker.completedAt}`);
  }
  if (opts.outputKeys) {
    // A long video's split has a thousand chunks: check them a few at a time, not one by one.
    const missing: string[] = [];
    await forEachLimit(opts.outputKeys(marker.result), OUTPUT_CHECK_CONCURRENCY, async (key) => {
      if (!(await head(key, bucketOpt))) missing.push(key);
    });
    if (missing.length > 0) {
      logger.warn('A completion marker outlived some of its outputs; redoing the work', { key: opts.markerKey, missing: missing.slice(0, 10), count: missing.length });
      return undefined;
    }
  }
  return marker;
}

/** Runs `work` unless its (trustworthy) marker exists; `reused` says which happened. The result must be JSON. */
export async function runOnce<T>(opts: RunOnceOptions<T>): Promise<{ result: T; reused: boolean }> {
  const bucketOpt = { bucket: opts.bucket };
  const existing = await readMarker(opts, bucketOpt);
  if (existing) return { result: existing.result, reused: true };
  const result = await opts.work();
  const marker: Marker<T> = { completedAt: new Date().toISOString(), ...(opts.job ? { job: opts.job.fingerprint } : {}), result };
  await putJson(opts.markerKey, marker, bucketOpt);
  return { result, reused: false };
}
