// Where Terraform keeps the stack's state: a local file by default (nothing to set up for a first try), or
// an S3 bucket when LONGHAUL_STATE_BUCKET names one, so a team shares one state, locked while a plan or
// apply runs, and no laptop holds the only copy. The bucket is created once by hand (docs/deploy.md).
import { LocalBackend, S3Backend, type TerraformBackend } from 'cdktf';
import type { Construct } from 'constructs';
import type { StackConfig } from './config';

/** `longhaul/dev/terraform.tfstate`: one key per prefix and stack, so stacks and projects can share a bucket. */
export function stateKey(config: Pick<StackConfig, 'prefix' | 'stackName'>): string {
  return `${config.prefix}/${config.stackName}/terraform.tfstate`;
}

/** `statePath`: the local state file, relative to the folder Terraform runs in; none leaves Terraform's default. */
export function defineStateBackend(stack: Construct, config: StackConfig, statePath: string | undefined): TerraformBackend | undefined {
  if (config.stateBucket) {
    const backend = new S3Backend(stack, {
      bucket: config.stateBucket,
      key: stateKey(config),
      region: config.stateRegion,
      encrypt: true,
    });
    // S3's own conditional-write lock file (Terraform >= 1.10) instead of a DynamoDB lock table; cdktf 0.21
    // has no property for it yet.
    backend.addOverride('use_lockfile', true);
    return backend;
  }
  return statePath ? new LocalBackend(stack, { path: statePath }) : undefined;
}
