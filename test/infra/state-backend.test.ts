// Terraform state: the local file by default, S3 (encrypted, lock file, one key per stack) when configured.
import { join } from 'node:path';
import { expect } from 'chai';
import { readStackConfig } from '../../infra/config';
import { fixtureCatalog } from './fixtures/catalog';
import { FIXTURES, makeFakeDist, stateMachinesIn, synthStack, type FakeDist } from './synth-helpers';

describe('infra/state-backend', () => {
  let dist: FakeDist;
  const synth = (env: Record<string, string>) =>
    synthStack({
      catalog: fixtureCatalog,
      stateMachines: stateMachinesIn(join(FIXTURES, 'asl')),
      distDir: dist.dir,
      config: readStackConfig(env),
      statePath: '../../../terraform-state/dev.tfstate',
    });

  before(() => {
    dist = makeFakeDist(fixtureCatalog);
  });
  after(() => dist.remove());

  it('keeps state in the local file when no state bucket is set', () => {
    expect(synth({}).terraform.backend).to.deep.equal({ local: { path: '../../../terraform-state/dev.tfstate' } });
  });

  it('keeps state in the state bucket, encrypted and locked, under a key of its own per prefix and stack', () => {
    expect(synth({ LONGHAUL_STATE_BUCKET: 'acme-terraform-state', LONGHAUL_STACK: 'prod', AWS_REGION: 'eu-west-1' }).terraform.backend).to.deep.equal({
      s3: { bucket: 'acme-terraform-state', key: 'longhaul/prod/terraform.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true },
    });
    const other = synth({ LONGHAUL_STATE_BUCKET: 'acme-terraform-state', LONGHAUL_PREFIX: 'acme', LONGHAUL_STATE_REGION: 'us-east-2' }).terraform.backend;
    expect(other?.s3).to.deep.include({ key: 'acme/dev/terraform.tfstate', region: 'us-east-2' });
  });
});
