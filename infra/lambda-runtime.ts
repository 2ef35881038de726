// The Lambda execution environment every function and layer targets.
import type { FunctionSpec } from '../handlers/catalog-types';
import { CONCURRENCY_CAP_ENV } from '../handlers/lib/concurrency-cap';
import { ENV } from '../handlers/lib/storage-layout';

/** node 20 is past end of life on Lambda; bundles target node 20+ so they also run locally. */
export const LAMBDA_RUNTIME = 'nodejs22.x';
/** The ffmpeg layer ships x86-64 static binaries. */
export const LAMBDA_ARCHITECTURE = 'x86_64';
/** esbuild writes `index.mjs` exporting `handler`. */
export const LAMBDA_HANDLER = 'index.handler';

/** Lambda sets these itself and rejects functions that try to. */
export const RESERVED_ENV_KEYS = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];

/** Lambda's limit on a function's and its layers' unzipped size. */
export const UNZIPPED_LIMIT_BYTES = 262_144_000;

/**
 * The common configuration (bucket, table, the stack's concurrency cap; Lambda sets AWS_REGION itself) plus
 * the catalog's own variables.
 */
export function functionEnvironment(spec: FunctionSpec, bucketName: string, tableName: string, maxConcurrency: number): Record<string, string> {
  const extra = spec.env ?? {};
  for (const key of Object.keys(extra)) {
    if (RESERVED_ENV_KEYS.includes(key)) throw new Error(`Catalog entry ${spec.name}: env key "${key}" is reserved by Lambda`);
    if (key === ENV.bucket || key === ENV.table || key === CONCURRENCY_CAP_ENV) throw new Error(`Catalog entry ${spec.name}: env key "${key}" is set by infra`);
  }
  // Set even where unused (a name grants nothing; only planning tasks read the cap): handlers read config uniformly.
  return { [ENV.bucket]: bucketName, [ENV.table]: tableName, [CONCURRENCY_CAP_ENV]: String(maxConcurrency), ...extra };
}
