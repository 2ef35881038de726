// What makes a job the job it is: its settings and the exact input objects it was started with. Every
// completion marker records it, and a marker recorded for another fingerprint is refused (JobMismatch)
// rather than reused: a jobId re-run with other settings, or over a replaced input, would otherwise
// silently return the old results.
import { InputNotFound, JobMismatch } from './errors';
import { head } from './s3';

/** One input object as it was when the job started. */
export interface InputObject {
  key: string;
  size: number;
  etag: string;
}

export interface JobFingerprint {
  /** The normalized execution input without its jobId (defaults applied, so omitted and explicit agree). */
  settings: unknown;
  inputs: InputObject[];
}

/** The input object as it is now; InputNotFound naming it when it does not exist. */
export async function headInput(key: string, jobId: string): Promise<InputObject> {
  const info = await head(key);
  if (!info) throw new InputNotFound(`Input ${key} of job ${jobId} does not exist`, { key, field: 'input.key' });
  return { key, size: info.size, etag: info.etag ?? '' };
}

export function jobFingerprint<J extends { jobId: string }>(job: J, inputs: readonly InputObject[]): JobFingerprint {
  const { jobId: _jobId, ...settings } = job;
  return { settings, inputs: [...inputs] };
}

/** JSON with object keys sorted, so two equal values always serialize alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Why `now` is not the job `was` recorded, in words; undefined when they are the same job. */
export function fingerprintDifference(was: JobFingerprint, now: JobFingerprint): string | undefined {
  if (canonicalJson(was.settings) !== canonicalJson(now.settings)) {
    return `its settings were ${canonicalJson(was.settings)}, now ${canonicalJson(now.settings)}`;
  }
  for (const input of now.inputs) {
    const before = was.inputs.find((i) => i.key === input.key);
    if (!before) return `input ${input.key} was not one of its inputs`;
    if (before.size !== input.size || before.etag !== input.etag) {
      return `input ${input.key} is not the object it started with (size ${before.size} → ${input.size}, ETag ${before.etag} → ${input.etag})`;
    }
  }
  if (was.inputs.length !== now.inputs.length) return `it had ${was.inputs.length} inputs, now ${now.inputs.length}`;
  return undefined;
}

/** Throws JobMismatch when `now` is not the job `was` recorded. */
export function assertSameJob(jobId: string, was: JobFingerprint, now: JobFingerprint, recordedAt: string): void {
  const difference = fingerprintDifference(was, now);
  if (difference === undefined) return;
  const changedKey = now.inputs.find((i) => difference.includes(i.key))?.key;
  throw new JobMismatch(
    `Job ${jobId} was already run with other settings or inputs (${recordedAt}): ${difference}. Start a new jobId to change them`,
    changedKey ? { key: changedKey, field: 'input.key' } : { field: 'jobId' },
  );
}
