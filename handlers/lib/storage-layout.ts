// The storage contract shared by handlers, infra and the local runtime: environment variable names,
// the bucket's key layout and the progress table's schema. One definition, read by all three.

export const ENV = {
  bucket: 'LONGHAUL_BUCKET',
  table: 'LONGHAUL_TABLE',
  region: 'AWS_REGION',
  s3Endpoint: 'AWS_ENDPOINT_URL_S3',
  dynamoEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
} as const;

export const DEFAULT_REGION = 'us-east-1';

/** Everything a job owns lives under `jobs/<jobId>/`. */
export const jobKeys = {
  root: (jobId: string) => `jobs/${jobId}/`,
  input: (jobId: string, name: string) => `jobs/${jobId}/input/${name}`,
  work: (jobId: string, name: string) => `jobs/${jobId}/work/${name}`,
  output: (jobId: string, name: string) => `jobs/${jobId}/output/${name}`,
};

/** Patterns (IAM-style, `*` wildcard) for catalog S3 access and bucket lifecycle rules. */
export const keyPatterns = {
  input: 'jobs/*/input/*',
  work: 'jobs/*/work/*',
  output: 'jobs/*/output/*',
} as const;

/**
 * Intermediates expire, outputs do not. S3 lifecycle filters match key prefixes, and `jobs/<jobId>/work/`
 * has the job id in the middle, so work objects carry this tag and the bucket's rule expires tagged
 * objects under `jobs/`.
 */
export const WORK_RETENTION_TAG = { key: 'longhaul-retention', value: 'work' } as const;

export function isWorkKey(key: string): boolean {
  return /^jobs\/[^/]+\/work\//.test(key);
}

/** Job ids become S3 key segments and DynamoDB keys: keep them boring. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Progress table: one item per job (sk = "JOB"), one per task (sk = "TASK#<taskId>") and the job's
 * counter items (sk = "COUNT#<shard>": done units and named figures such as rows read, see
 * handlers/lib/progress-counters.ts), all under the job's pk.
 * On-demand billing; `expiresAt` (epoch seconds) is the TTL attribute.
 */
export const progressTable = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  ttlAttribute: 'expiresAt',
  jobPk: (jobId: string) => `JOB#${jobId}`,
  jobSk: 'JOB',
  taskSk: (taskId: string) => `TASK#${taskId}`,
  countSk: (shard: string) => `COUNT#${shard}`,
} as const;

/** Progress items expire (DynamoDB TTL on `expiresAt`) this long after their last update. */
export const PROGRESS_RETENTION_DAYS = 90;
export const PROGRESS_RETENTION_SECONDS = PROGRESS_RETENTION_DAYS * 24 * 60 * 60;
