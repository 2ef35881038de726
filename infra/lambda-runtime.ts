// The Lambda execution environment every function and layer targets.

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
