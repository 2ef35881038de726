// `make plan|apply|destroy`: runs Terraform in the synthesized stack folder after the preflight checks.
// Every failure ends in one line naming the reason. TF=tofu selects OpenTofu.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readStackConfig } from '../infra/config';
import { findAwsCredentialSource, findOnPath, summarizeInitFailure } from '../infra/deploy/terraform-preflight';

const root = resolve(import.meta.dirname, '..');
const PLAN_FILE = 'longhaul.tfplan';
type Action = 'plan' | 'apply' | 'destroy';

function fail(action: Action, reason: string): never {
  console.error(`make ${action}: ${reason}`);
  process.exit(1);
}

function main(): void {
  const action = process.argv[2] as Action;
  if (!['plan', 'apply', 'destroy'].includes(action)) fail('plan', `usage: tsx scripts/terraform.ts plan|apply|destroy (got "${action ?? ''}")`);
  const tf = process.env.TF?.trim() || 'terraform';
  let config;
  try {
    config = readStackConfig(process.env);
  } catch (error) {
    fail(action, (error as Error).message);
  }
  const stackDir = join(root, 'cdktf.out', 'stacks', config.stackName);

  const tfPath = findOnPath(tf, process.env.PATH);
  if (!tfPath) fail(action, `"${tf}" not found on PATH: install Terraform >= 1.5 (or OpenTofu and set TF=tofu)`);
  if (!existsSync(join(stackDir, 'cdk.tf.json'))) fail(action, `no synthesized stack in ${stackDir}: run \`make synth\` first`);

  // The local backend keeps state here (infra/stack.ts), outside cdktf.out/ so `make clean` cannot lose it.
  mkdirSync(join(root, 'terraform-state'), { recursive: true });
  const init = spawnSync(tfPath, [`-chdir=${stackDir}`, 'init', '-input=false', '-no-color'], { encoding: 'utf8' });
  if (init.error) fail(action, `cannot run ${tf}: ${init.error.message}`);
  if (init.status !== 0) fail(action, summarizeInitFailure(`${init.stdout}\n${init.stderr}`));

  // An instance or task role cannot be seen without calling AWS: LONGHAUL_SKIP_CREDENTIAL_CHECK=1 trusts it.
  const credentials = process.env.LONGHAUL_SKIP_CREDENTIAL_CHECK === '1' ? 'the default chain (check skipped)' : findAwsCredentialSource(process.env, homedir());
  if (!credentials) {
    fail(action, 'no AWS credentials: set AWS_PROFILE (see `aws configure`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (on EC2/ECS roles: LONGHAUL_SKIP_CREDENTIAL_CHECK=1)');
  }
  console.log(`${tf} ${action} in ${stackDir} (stack ${config.stackName}, region ${config.region}, credentials from ${credentials})`);

  const args = terraformArgs(action, stackDir);
  const run = spawnSync(tfPath, [`-chdir=${stackDir}`, ...args], { stdio: 'inherit' });
  if (run.status !== 0) fail(action, `${tf} ${action} exited with ${run.status ?? run.signal}`);
}

function terraformArgs(action: Action, stackDir: string): string[] {
  switch (action) {
    case 'plan':
      return ['plan', '-input=false', `-out=${PLAN_FILE}`];
    case 'apply':
      // Applies exactly what `make plan` showed; Terraform itself refuses a stale plan.
      if (!existsSync(join(stackDir, PLAN_FILE))) fail(action, 'no saved plan: run `make plan` first, review it, then `make apply`');
      return ['apply', '-input=false', PLAN_FILE];
    case 'destroy':
      // Interactive on purpose: Terraform lists what goes and asks for "yes".
      return ['destroy'];
  }
}

main();
