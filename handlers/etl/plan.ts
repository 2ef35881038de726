// Lambda: validates the ETL job and its spec, recognises the input and checks it against the spec before
// any fan-out, and writes the manifest with the first Map's items.
import { capConcurrency } from '../lib/concurrency-cap';
import { InvalidInput } from '../lib/errors';
import { taskMarkerKey } from '../lib/idempotency';
import { headInput, jobFingerprint, type InputObject } from '../lib/job-fingerprint';
import { setJobStep, setJobTotal } from '../lib/progress';
import { getJson } from '../lib/s3';
import { jobKeys } from '../lib/storage-layout';
import { defineTask } from '../lib/task';
import { fieldProblems } from '../lib/validation';
import { etlJobSchema, type EtlJob } from './job-input';
import { etlKeys } from './keys';
import { planEtl, type PlanResult } from './plan-job';
import { etlSpecSchema } from './spec';

/** The spec inline, or read from the S3 key the job names (which must sit beside the input, under input/). */
async function resolveSpec(job: EtlJob): Promise<{ rawSpec: unknown; specObject: InputObject | null }> {
  const spec = job.spec;
  if (!('key' in spec && typeof spec.key === 'string' && Object.keys(spec).length === 1)) return { rawSpec: spec, specObject: null };
  const key = spec.key;
  if (!key.startsWith(jobKeys.input(job.jobId, ''))) throw new InvalidInput(`spec.key must be under jobs/${job.jobId}/input/, got ${key}`, { field: 'spec.key' });
  const specObject = await headInput(key, job.jobId);
  const rawSpec = await getJson<unknown>(key);
  const parsed = etlSpecSchema.safeParse(rawSpec);
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error).map((p) => `${p.field}: ${p.message}`);
    throw new InvalidInput(`The spec in ${key} is not valid: ${problems.join('; ')}`, { key, field: 'spec' });
  }
  return { rawSpec, specObject };
}

export const handler = defineTask({
  name: 'etl-plan',
  event: etlJobSchema,
  // HEADed before the marker is read: a replaced input or spec must not find the old plan.
  load: async (job) => {
    const input = await headInput(job.input.key, job.jobId);
    const { rawSpec, specObject } = await resolveSpec(job);
    return { input, rawSpec, specObject, spec: etlSpecSchema.parse(rawSpec) };
  },
  step: { name: 'plan', startsJob: true },
  // The plan (and every Map's MaxConcurrencyPath) takes the stack's cap; the fingerprint keeps the job as asked.
  work: ({ event, loaded, log }) => planEtl(capConcurrency(event, (m, d) => log.warn(m, d)), loaded, log),
  once: {
    marker: (job) => taskMarkerKey(job.jobId, 'plan'),
    fingerprint: ({ event, loaded }) => jobFingerprint(event, loaded.specObject ? [loaded.input, loaded.specObject] : [loaded.input]),
    outputs: (r) => [etlKeys.manifest(r.jobId), r.rangesKey ?? r.partitionsKey],
  },
  // Also after a reuse: the first attempt may have died between its marker and these updates.
  after: async (r, { jobId }) => {
    if (r.format === 'parquet') await setJobTotal(jobId, r.partitionCount);
    await setJobStep(jobId, r.format === 'csv' ? 'scan' : 'transform');
  },
  respond: (r): PlanResult => r,
});
