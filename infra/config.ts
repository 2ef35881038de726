// Deployment settings, read from the environment so one checkout can deploy several stacks.
import { CONCURRENCY_CAP_ENV, parseConcurrencyCap } from '../handlers/lib/concurrency-cap';
import { DEFAULT_REGION } from '../handlers/lib/storage-layout';

export interface StackConfig {
  /** Environment / stack name: `dev`, `prod`, ... Also the Terraform stack folder under cdktf.out/stacks/. */
  stackName: string;
  region: string;
  /** First segment of every AWS resource name, so several projects can share an account. */
  prefix: string;
  /** Where alarm e-mails go; no subscription when absent (SNS asks the address to confirm). */
  alarmEmail?: string;
  /** Days CloudWatch keeps function and state machine logs. */
  logRetentionDays: number;
  /** Days before a job's work/ intermediates expire. */
  workExpirationDays: number;
  /** Most items a job's Maps run at once, whatever its input asks (handlers/lib/concurrency-cap.ts). */
  maxConcurrency: number;
  /** Terraform state in this S3 bucket (remote, locked) instead of the local file; see docs/deploy.md. */
  stateBucket?: string;
  /** Region of the state bucket; the stack's region when unset. */
  stateRegion: string;
}

export const CONFIG_ENV = {
  stackName: 'LONGHAUL_STACK',
  region: 'AWS_REGION',
  prefix: 'LONGHAUL_PREFIX',
  alarmEmail: 'LONGHAUL_ALARM_EMAIL',
  logRetentionDays: 'LONGHAUL_LOG_RETENTION_DAYS',
  workExpirationDays: 'LONGHAUL_WORK_EXPIRATION_DAYS',
  maxConcurrency: CONCURRENCY_CAP_ENV,
  stateBucket: 'LONGHAUL_STATE_BUCKET',
  stateRegion: 'LONGHAUL_STATE_REGION',
} as const;

export const CONFIG_DEFAULTS = {
  stackName: 'dev',
  prefix: 'longhaul',
  logRetentionDays: 30,
  workExpirationDays: 7,
} as const;

// Names end up in function names (64 chars), role names (64) and the bucket prefix (37): keep them short.
const NAME_SEGMENT = /^[a-z][a-z0-9-]{0,19}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
// S3's general-purpose bucket naming rules (the ones a typo can break).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;
// CloudWatch Logs accepts only these retention values.
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export function readStackConfig(env: Record<string, string | undefined> = process.env): StackConfig {
  const pick = (key: string) => {
    const value = env[key]?.trim();
    return value === '' ? undefined : value;
  };
  const stackName = pick(CONFIG_ENV.stackName) ?? CONFIG_DEFAULTS.stackName;
  const prefix = pick(CONFIG_ENV.prefix) ?? CONFIG_DEFAULTS.prefix;
  const region = pick(CONFIG_ENV.region) ?? DEFAULT_REGION;
  const alarmEmail = pick(CONFIG_ENV.alarmEmail);
  const logRetentionDays = readInteger(env, CONFIG_ENV.logRetentionDays, CONFIG_DEFAULTS.logRetentionDays);
  const workExpirationDays = readInteger(env, CONFIG_ENV.workExpirationDays, CONFIG_DEFAULTS.workExpirationDays);
  const stateBucket = pick(CONFIG_ENV.stateBucket);
  const stateRegion = pick(CONFIG_ENV.stateRegion) ?? region;

  const problems: string[] = [];
  let maxConcurrency = 0;
  try {
    maxConcurrency = parseConcurrencyCap(env[CONFIG_ENV.maxConcurrency]);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (!NAME_SEGMENT.test(stackName)) problems.push(`${CONFIG_ENV.stackName}="${stackName}" must match ${NAME_SEGMENT}`);
  if (!NAME_SEGMENT.test(prefix)) problems.push(`${CONFIG_ENV.prefix}="${prefix}" must match ${NAME_SEGMENT}`);
  if (!REGION.test(region)) problems.push(`${CONFIG_ENV.region}="${region}" is not a region name like us-east-1`);
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) problems.push(`${CONFIG_ENV.alarmEmail}="${alarmEmail}" is not an e-mail address`);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    problems.push(`${CONFIG_ENV.logRetentionDays}=${logRetentionDays} must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  if (workExpirationDays < 1) problems.push(`${CONFIG_ENV.workExpirationDays}=${workExpirationDays} must be at least 1`);
  if (stateBucket !== undefined && !isBucketName(stateBucket)) {
    problems.push(`${CONFIG_ENV.stateBucket}="${stateBucket}" is not an S3 bucket name (3-63 lower-case letters, digits, "." and "-")`);
  }
  if (!REGION.test(stateRegion)) problems.push(`${CONFIG_ENV.stateRegion}="${stateRegion}" is not a region name like us-east-1`);
  if (problems.length > 0) throw new Error(`Invalid deployment configuration: ${problems.join('; ')}`);

  return { stackName, region, prefix, alarmEmail, logRetentionDays, workExpirationDays, maxConcurrency, stateBucket, stateRegion };
}

function isBucketName(name: string): boolean {
  return BUCKET_NAME.test(name) && !name.includes('..') && !IP_ADDRESS.test(name);
}

function readInteger(env: Record<string, string | undefined>, key: string, fallback: number): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`Invalid deployment configuration: ${key}="${raw}" must be a whole number`);
  return Number(raw);
}

/** `longhaul-dev-video-split`: every deployed name starts with prefix and stack. */
export function resourceName(config: Pick<StackConfig, 'prefix' | 'stackName'>, suffix: string): string {
  return `${config.prefix}-${config.stackName}-${suffix}`;
}
