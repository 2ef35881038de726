// The local stand-ins for S3 and DynamoDB, started together with the bucket and progress table
// ready, plus the environment a handler needs to reach them through the ordinary SDK.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_REGION, ENV } from '../../handlers/lib/storage-layout';
import { lockDataDir } from './data-dir-lock';
import { startDynamoServer } from './dynamo-server';
import { ensureProgressTable } from './progress-table';
import { startS3Server, type RunningServer } from './s3-server';

export interface LocalServicesOptions {
  /** Where objects and table data live; reusing a directory keeps its data. Default: a temp dir removed at stop. */
  dataDir?: string;
  region?: string;
  bucket?: string;
  table?: string;
  /** Silences s3rver's per-request log. Default true; pass false to watch S3 traffic. */
  quiet?: boolean;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalServices {
  region: string;
  bucket: string;
  table: string;
  endpoints: { s3: string; dynamodb: string };
  credentials: Credentials;
  /** Everything a handler process needs: apply to process.env or pass to a worker. */
  env: Record<string, string>;
  dataDir: string;
  stop(): Promise<void>;
}

export const LOCAL_DEFAULTS = {
  bucket: 'longhaul-local',
  table: 'longhaul-progress',
  credentials: { accessKeyId: 'LONGHAUL', secretAccessKey: 'longhaul-local-secret' },
} as const;

/** The environment variables of `env`, so callers can save and restore exactly those. */
export const LOCAL_ENV_NAMES = [
  ENV.bucket,
  ENV.table,
  ENV.region,
  ENV.s3Endpoint,
  ENV.dynamoEndpoint,
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REQUEST_CHECKSUM_CALCULATION',
  'AWS_RESPONSE_CHECKSUM_VALIDATION',
] as const;

function servicesEnv(s: Omit<LocalServices, 'env' | 'stop' | 'dataDir'>): Record<string, string> {
  return {
    [ENV.bucket]: s.bucket,
    [ENV.table]: s.table,
    [ENV.region]: s.region,
    [ENV.s3Endpoint]: s.endpoints.s3,
    [ENV.dynamoEndpoint]: s.endpoints.dynamodb,
    AWS_ACCESS_KEY_ID: s.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey,
    // Without these the SDK's stream uploads are stored corrupted by s3rver (see DESIGN, Known facts).
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}

// Temp data dirs of services not stopped yet: removed if the process exits without stop()
// (process.exit in a CLI, an uncaught error), so throwaway data never piles up in /tmp.
const ownedTempDirs = new Set<string>();
let exitHookInstalled = false;

function trackTempDir(dir: string): void {
  ownedTempDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of ownedTempDirs) rmSync(d, { recursive: true, force: true });
  });
}

export async function startLocalServices(opts: LocalServicesOptions = {}): Promise<LocalServices> {
  const region = opts.region ?? DEFAULT_REGION;
  const bucket = opts.bucket ?? LOCAL_DEFAULTS.bucket;
  const table = opts.table ?? LOCAL_DEFAULTS.table;
  const credentials: Credentials = { ...LOCAL_DEFAULTS.credentials };
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = ownsDataDir ? await mkdtemp(join(tmpdir(), 'longhaul-services-')) : resolve(opts.dataDir!);
  if (ownsDataDir) trackTempDir(dataDir);
  await mkdir(join(dataDir, 's3'), { recursive: true });
  const unlock = await lockDataDir(dataDir);

  const started: RunningServer[] = [];
  const stopAll = async () => {
    const results = await Promise.allSettled(started.map((s) => s.stop()));
    await unlock();
    if (ownsDataDir) {
      await rm(dataDir, { recursive: true, force: true });
      ownedTempDirs.delete(dataDir);
    }
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    const s3 = await startS3Server({
      directory: join(dataDir, 's3'),
      buckets: [bucket],
      credentials,
      quiet: opts.quiet ?? true,
    });
    started.push(s3);
    const dynamo = await startDynamoServer({ directory: join(dataDir, 'dynamodb') });
    started.push(dynamo);
    await ensureProgressTable({ endpoint: dynamo.endpoint, region, credentials }, table);

    const endpoints = { s3: s3.endpoint, dynamodb: dynamo.endpoint };
    let stopping: Promise<void> | undefined;
    return {
      region,
      bucket,
      table,
      endpoints,
      credentials,
      env: servicesEnv({ region, bucket, table, endpoints, credentials }),
      dataDir,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
