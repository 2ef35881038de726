// Deployment settings, read from the environment so one checkout can deploy several stacks.
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
}

export const CONFIG_ENV = {
  stackName: 'LONGHAUL_STACK',
  region: 'AWS_REGION',
  prefix: 'LONGHAUL_PREFIX',
  alarmEmail: 'LONGHAUL_ALARM_EMAIL',
  logRetentionDays: 'LONGHAUL_LOG_RETENTION_DAYS',
  workExpirationDays: 'LONGHAUL_WORK_EXPIRATION_DAYS',
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

  const problems: string[] = [];
  if (!NAME_SEGMENT.test(stackName)) problems.push(`${CONFIG_ENV.stackName}="${stackName}" must match ${NAME_SEGMENT}`);
  if (!NAME_SEGMENT.test(prefix)) problems.push(`${CONFIG_ENV.prefix}="${prefix}" must match ${NAME_SEGMENT}`);
  if (!REGION.test(region)) problems.push(`${CONFIG_ENV.region}="${region}" is not a region name like us-east-1`);
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) problems.push(`${CONFIG_ENV.alarmEmail}="${alarmEmail}" is not an e-mail address`);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    problems.push(`${CONFIG_ENV.logRetentionDays}=${logRetentionDays} must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  if (workExpirationDays < 1) problems.push(`${CONFIG_ENV.workExpirationDays}=${workExpirationDays} must be at least 1`);
  if (problems.length > 0) throw new Error(`Invalid deployment configuration: ${problems.join('; ')}`);

  return { stackName, region, prefix, alarmEmail, logRetentionDays, workExpirationDays };
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
