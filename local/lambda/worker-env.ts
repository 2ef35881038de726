// The environment a worker process starts with: what Lambda sets for a function, plus ours.
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { CONCURRENCY_CAP_ENV, readConcurrencyCap } from '../../handlers/lib/concurrency-cap';
import { LOCAL_ACCESS_ENV } from '../../handlers/lib/local-access';
import { ENV } from '../../handlers/lib/storage-layout';
import { LAMBDA_RUNTIME } from '../../infra/lambda-runtime';
import { accessGrantFor } from './access-grant';
import type { FunctionCodeLocation } from './function-code';
import { lambdaPath } from './layer-dir';
import { WORKER_TMPDIR_VAR } from './worker-protocol';

export interface WorkerEnvInput {
  spec: FunctionSpec;
  region: string;
  repoRoot: string;
  tmpDir: string;
  logStreamName: string;
  /** The common environment from the caller (services endpoints, credentials, bucket, table). */
  common: Record<string, string>;
  /** The scaled timeout, exposed so a handler can reason about its real budget if it must. */
  scaledTimeoutMs: number;
  /** Where the function's code and layers are; without it, the sources in the repository and no layers. */
  code?: FunctionCodeLocation;
}

/**
 * Lambda starts functions with a clean environment; we keep only PATH/HOME/LANG from ours so tools like
 * ffmpeg still resolve, and never leak NODE_OPTIONS (mocha's loaders) into the worker.
 */
export function buildWorkerEnv(input: WorkerEnvInput): Record<string, string> {
  const { spec, region, code } = input;
  const inherited: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG']) {
    const value = process.env[key];
    if (value !== undefined) inherited[key] = value;
  }
  if (code) inherited.PATH = lambdaPath(code.node, process.env.PATH, code.layers.dir);
  return {
    ...inherited,
    // tsx is loaded under the shared temp dir (its compile cache lives there); see WORKER_TMPDIR_VAR.
    TMPDIR: tmpdir(),
    TZ: ':UTC',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${LAMBDA_RUNTIME}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(spec.timeoutSeconds),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: code?.taskRoot ?? input.repoRoot,
    LAMBDA_RUNTIME_DIR: code ? path.dirname(code.bootstrap) : input.repoRoot,
    _HANDLER: code?.handler ?? `${spec.entry}.handler`,
    LONGHAUL_EPHEMERAL_STORAGE_MB: String(spec.ephemeralStorageMb),
    LONGHAUL_SCALED_TIMEOUT_MS: String(input.scaledTimeoutMs),
    // The stack's cap on a job's maxConcurrency, from this process's environment as infra sets it from the deployer's.
    [CONCURRENCY_CAP_ENV]: String(readConcurrencyCap(process.env)),
    // NODE_PATH, and the layer binaries' paths: before the caller's, so a test may still point ffmpeg elsewhere.
    ...(code?.layers.env ?? {}),
    ...input.common,
    ...(spec.env ?? {}),
    // The function's IAM role, checked by handlers/lib's SDK clients: what AWS would deny fails here too.
    [LOCAL_ACCESS_ENV]: JSON.stringify(accessGrantFor(spec, input.common[ENV.bucket] ?? '')),
    [WORKER_TMPDIR_VAR]: input.tmpDir,
  };
}
