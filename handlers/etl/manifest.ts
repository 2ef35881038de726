// The plan the first task writes and every later task reads: the normalized job, the exact input
// objects, the spec, and the input's layout. In S3, not in the state payload.
import { z } from 'zod';
import { jobFingerprint, type JobFingerprint } from '../lib/job-fingerprint';
import { putJson } from '../lib/s3';
import { readStoredJson } from '../lib/stored-json';
import { DELIMITERS } from './csv-header';
import { etlJobSchema } from './job-input';
import { etlKeys } from './keys';
import { etlSpecSchema, type EtlSpec } from './spec';

const inputObjectSchema = z.object({ key: z.string(), size: z.number(), etag: z.string() });

const manifestSchema = z.object({
  version: z.literal(1),
  jobId: z.string(),
  job: etlJobSchema,
  inputObject: inputObjectSchema,
  /** The object the spec was read from, when the job names one by key. */
  specObject: inputObjectSchema.nullable(),
  /** The spec as written (inline, or read from specObject): normalized on every read by the one schema. */
  rawSpec: z.unknown(),
  format: z.enum(['csv', 'parquet']),
  csv: z
    .object({
      delimiter: z.enum(DELIMITERS),
      header: z.array(z.string()),
      /** For each spec column, its field index in a row. */
      fieldIndexes: z.array(z.number().int().min(0)),
      dataStart: z.number().int(),
    })
    .nullable(),
  /** How many buckets partial aggregates are hash-partitioned into. */
  buckets: z.number().int().min(1),
});

export type EtlManifest = z.infer<typeof manifestSchema> & { spec: EtlSpec };
export type StoredManifest = Omit<EtlManifest, 'spec'>;

export function jobFingerprintOf(m: StoredManifest): JobFingerprint {
  return jobFingerprint(m.job, m.specObject ? [m.inputObject, m.specObject] : [m.inputObject]);
}

export async function writeManifest(m: StoredManifest): Promise<void> {
  await putJson(etlKeys.manifest(m.jobId), m);
}

export async function readManifest(jobId: string): Promise<EtlManifest> {
  const stored = await readStoredJson(etlKeys.manifest(jobId), manifestSchema, { missing: `No manifest for job ${jobId}: run the plan task first`, name: `Manifest of job ${jobId}` });
  return { ...stored, spec: etlSpecSchema.parse(stored.rawSpec) };
}

