// The environment every handler runs with (set by infra in AWS and by the local runtime locally).
import { DEFAULT_REGION, ENV } from './storage-layout';

export interface HandlerConfig {
  bucket: string;
  table: string;
  region: string;
}

function required(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** Read at call time, not import time, so tests and the local runtime can set the environment first. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): HandlerConfig {
  return {
    bucket: required(ENV.bucket, env),
    table: required(ENV.table, env),
    region: env[ENV.region]?.trim() || DEFAULT_REGION,
  };
}

/** The bucket alone: S3-only code should not demand a table. */
export function readBucket(env: NodeJS.ProcessEnv = process.env): string {
  return required(ENV.bucket, env);
}

/** The table alone: progress code should not demand a bucket. */
export function readTable(env: NodeJS.ProcessEnv = process.env): string {
  return required(ENV.table, env);
}

/** The region alone: SDK clients need it even where no bucket or table is configured. */
export function readRegion(env: NodeJS.ProcessEnv = process.env): string {
  return env[ENV.region]?.trim() || DEFAULT_REGION;
}
