// Event validation: handlers parse their event first and fail fast with an InvalidInput that
// names every offending field, so one failed execution shows everything to fix.
import { z } from 'zod';
import { InvalidInput } from './errors';
import { JOB_ID_PATTERN, jobKeys } from './storage-layout';

export interface FieldProblem {
  field: string;
  message: string;
}

/** `['options', 'height']` → `options.height`; `['items', 2, 'key']` → `items[2].key`; `[]` → `(event)`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(event)';
}

/** Flattens zod issues (including nested unions) into one problem per field. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ field: formatPath(issue.path), message: issue.message }));
}

/** Parses `event` with `schema` or throws InvalidInput listing every bad field by path. */
export function parseEvent<S extends z.ZodType>(schema: S, event: unknown): z.infer<S> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  const problems = fieldProblems(result.error);
  const message = `Invalid event: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
  throw new InvalidInput(message, { field: problems[0]?.field, problems });
}

export const jobIdSchema = z
  .string()
  .regex(JOB_ID_PATTERN, 'must be 1-128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');

const MAX_KEY_BYTES = 1024;

export const s3KeySchema = z
  .string()
  .min(1, 'must not be empty')
  .refine((key) => !key.startsWith('/'), 'must not start with "/"')
  .refine((key) => Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES, `must be at most ${MAX_KEY_BYTES} bytes in UTF-8`);

/**
 * Refuses an execution input whose `input.key` is not under `jobs/<jobId>/input/`: the IAM policy lets a
 * pipeline's first tasks read only the job's own input prefix. Runs even when other fields failed (`when`),
 * so one error lists every problem.
 */
export function inputUnderJobPrefix<T extends { jobId: string; input: { key: string } }>(schema: z.ZodType<T>): z.ZodType<T> {
  return schema.refine((job) => job.input.key.startsWith(jobKeys.input(job.jobId, '')), {
    path: ['input', 'key'],
    message: 'must be under jobs/<jobId>/input/',
    when: (payload) => {
      const v = payload.value as { jobId?: unknown; input?: { key?: unknown } } | undefined;
      return typeof v?.jobId === 'string' && typeof v.input?.key === 'string';
    },
  });
}
