// How every operating tool (timeline, cost, watch, the console) reaches "AWS": one endpoint (a local
// `longhaul serve`, or none for AWS itself), a region, the SDK's credentials and the progress table.
// One parser for the shared flags, so every command reads them the same way.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DEFAULT_REGION, ENV } from '../../handlers/lib/storage-layout';
import { readStackConfig, resourceName } from '../../infra/config';
import { OUTPUT_NAMES } from '../../infra/output-names';
import { LOCAL_DEFAULTS } from '../services';
import { DEFAULT_SERVE_DATA_DIR, readServeOutputs } from '../serve/serve-outputs';
import { UsageError } from '../cli/command';

export interface AwsTarget {
  /** `http://127.0.0.1:4566` for a local serve; undefined for AWS itself. */
  endpoint?: string;
  region: string;
  /** The progress table, as resolved by `progressTableName` (--table, LONGHAUL_TABLE, the serve outputs, the deployed name). */
  table: string;
}

/** The flags every operating command accepts, for `parseOptions` (node's parseArgs). */
export const AWS_TARGET_OPTIONS = {
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  table: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export const AWS_TARGET_HELP = `AWS target (the same for every operating command):
  --endpoint-url <url>  A local \`longhaul serve\` (e.g. http://127.0.0.1:4566), or AWS_ENDPOINT_URL;
                        none means AWS itself.
  --region <region>     Default AWS_REGION, AWS_DEFAULT_REGION, else ${DEFAULT_REGION}.
  --table <name>        The progress table. Default ${ENV.table}; for a local serve, its outputs file
                        (the server's --data-dir, default ${DEFAULT_SERVE_DATA_DIR}); for AWS, the name
                        infra deploys from LONGHAUL_PREFIX and LONGHAUL_STACK.
  --data-dir <dir>      The local server's data dir, where its outputs are read.
Credentials come from the AWS SDK's default chain (environment, profile, SSO, instance role); a local
endpoint with none configured gets the local server's key pair.`;

export interface AwsTargetFlags {
  'endpoint-url'?: string;
  region?: string;
  table?: string;
  'data-dir'?: string;
}

type Env = Record<string, string | undefined>;

/** The target the flags (then the environment) name. Throws a UsageError naming the flag for a bad value. */
export function awsTargetFromFlags(flags: AwsTargetFlags, env: Env = process.env): AwsTarget {
  const endpoint = nonEmpty(flags['endpoint-url']) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new UsageError(`--endpoint-url must be an http(s) URL, got "${endpoint}"`);
  }
  const region = nonEmpty(flags.region) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new UsageError(`--region must be a region name like us-east-1, got "${region}"`);
  const table = progressTableName({ flag: flags.table, endpoint, dataDir: flags['data-dir'], env });
  return { endpoint: endpoint?.replace(/\/+$/, ''), region, table };
}

/**
 * The progress table handlers write (they read LONGHAUL_TABLE): the flag, else that variable, else for a
 * local endpoint the server's outputs (what `longhaul outputs progress_table` prints), else the name infra
 * deploys.
 */
export function progressTableName(opts: { flag?: string; endpoint?: string; dataDir?: string; env?: Env }): string {
  const env = opts.env ?? process.env;
  const named = nonEmpty(opts.flag) ?? nonEmpty(env[ENV.table]);
  if (named) return named;
  if (opts.endpoint !== undefined) {
    const dir = resolve(opts.dataDir ?? DEFAULT_SERVE_DATA_DIR);
    if (opts.dataDir !== undefined || existsSync(join(dir, 'outputs.json'))) {
      const table = readServeOutputs(dir)[OUTPUT_NAMES.progressTable];
      if (typeof table === 'string') return table;
    }
    return LOCAL_DEFAULTS.table;
  }
  return resourceName(readStackConfig(env), 'progress');
}

export interface OperateClients {
  target: AwsTarget;
  sfn: SFNClient;
  lambda: LambdaClient;
  dynamodb: DynamoDBClient;
  destroy(): void;
}

export function createOperateClients(target: AwsTarget, env: Env = process.env): OperateClients {
  const config = {
    region: target.region,
    endpoint: target.endpoint,
    credentials: credentialsFor(target, env),
    // The tools poll; a throttled call is retried by the SDK rather than failing the view.
    maxAttempts: 5,
  };
  const sfn = new SFNClient(config);
  const lambda = new LambdaClient(config);
  const dynamodb = new DynamoDBClient(config);
  return {
    target,
    sfn,
    lambda,
    dynamodb,
    destroy() {
      sfn.destroy();
      lambda.destroy();
      dynamodb.destroy();
    },
  };
}

/**
 * Keys in `env` (the process environment, or what a caller passes) are used as given; with none, a local
 * endpoint gets the local server's key pair, so `longhaul timeline --endpoint-url …` works in a fresh
 * shell; otherwise undefined: the SDK's default chain (profile, SSO, instance role…).
 */
function credentialsFor(target: AwsTarget, env: Env) {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  if (target.endpoint === undefined || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE) return undefined;
  return { ...LOCAL_DEFAULTS.credentials };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** One line for an error met while reading "AWS": the service's error name and message, or what failed to connect. */
export function operateErrorLine(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED') return `nothing answers at ${(err as { address?: string; port?: number }).address ?? ''}:${(err as { port?: number }).port ?? ''} (is \`longhaul serve\` running?)`;
  return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
}
