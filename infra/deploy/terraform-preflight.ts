// The checks `make plan|apply|destroy` run before Terraform does anything, each ending in one line
// that says what is missing: no Terraform binary, an unreachable registry, or no AWS credentials.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Absolute path of `command` on PATH, or undefined. */
export function findOnPath(command: string, pathEnv: string | undefined): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? command : undefined;
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the AWS SDK / Terraform provider would find credentials, judged without calling AWS: the
 * environment, a web-identity token, a container endpoint, or a shared config/credentials file.
 */
export function findAwsCredentialSource(env: Record<string, string | undefined>, homeDir: string): string | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY';
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return 'AWS_WEB_IDENTITY_TOKEN_FILE';
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return 'container credentials endpoint';
  const profile = env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE ?? 'default';
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? join(homeDir, '.aws', 'credentials'), env.AWS_CONFIG_FILE ?? join(homeDir, '.aws', 'config')];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const section = new RegExp(`^\\[(profile )?${profile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\s*$`, 'm');
    if (section.test(text)) return `profile "${profile}" in ${file}`;
  }
  return undefined;
}

/**
 * One line out of `terraform init`'s failure output: the first error's title and explanation, plus
 * what to do when the cause is the registry being out of reach.
 */
export function summarizeInitFailure(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.replace(/^[│╷╵]\s?/, '').trim());
  const at = lines.findIndex((l) => l.startsWith('Error: '));
  if (at < 0) {
    const last = lines.filter((l) => l !== '').pop();
    return `terraform init failed${last ? `: ${last}` : ''}`;
  }
  const title = lines[at].slice('Error: '.length);
  const detail: string[] = [];
  let i = at + 1;
  while (i < lines.length && lines[i] === '') i++;
  for (; i < lines.length && lines[i] !== ''; i++) detail.push(lines[i]);
  const reason = [title, detail.join(' ')].filter(Boolean).join(': ');
  const unreachable = /could not connect|dial tcp|no such host|timeout|i\/o timeout|connection refused|network is unreachable/i.test(reason);
  const hint = unreachable ? ' [the provider registry is unreachable from here: run from a machine with internet access or configure a provider mirror]' : '';
  return `terraform init failed: ${reason}${hint}`;
}
