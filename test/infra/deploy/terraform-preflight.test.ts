import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { findAwsCredentialSource, findOnPath, summarizeInitFailure } from '../../../infra/deploy/terraform-preflight';
import { FIXTURES } from '../synth-helpers';

const root = resolve(import.meta.dirname, '..', '..', '..');

describe('infra/deploy/terraform-preflight', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'longhaul-preflight-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('turns terraform init’s offline failure into one line with the reason and what to do', () => {
    const line = summarizeInitFailure(readFileSync(join(FIXTURES, 'terraform', 'init-offline.txt'), 'utf8'));
    expect(line).not.to.include('\n');
    expect(line).to.match(/^terraform init failed: Failed to query available provider packages: Could not retrieve .* could not connect to registry\.terraform\.io/);
    expect(line).to.include('no such host');
    expect(line).to.include('provider registry is unreachable');
  });

  it('keeps other init errors without the registry hint', () => {
    const line = summarizeInitFailure('│ Error: Invalid backend configuration\n│\n│ The "path" argument is invalid.\n');
    expect(line).to.equal('terraform init failed: Invalid backend configuration: The "path" argument is invalid.');
    expect(summarizeInitFailure('segfault\n')).to.equal('terraform init failed: segfault');
  });

  it('finds executables on PATH only', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'tofu'), '#!/bin/sh\n');
    writeFileSync(join(bin, 'plain'), '');
    chmodSync(join(bin, 'tofu'), 0o755);
    expect(findOnPath('tofu', `/nonexistent:${bin}`)).to.equal(join(bin, 'tofu'));
    expect(findOnPath('plain', bin)).to.equal(undefined);
    expect(findOnPath('tofu', undefined)).to.equal(undefined);
  });

  it('detects credentials from the environment or a shared profile, without calling AWS', () => {
    expect(findAwsCredentialSource({}, dir)).to.equal(undefined);
    expect(findAwsCredentialSource({ AWS_ACCESS_KEY_ID: 'a' }, dir)).to.equal(undefined);
    expect(findAwsCredentialSource({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, dir)).to.equal('AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
    mkdirSync(join(dir, '.aws'));
    writeFileSync(join(dir, '.aws', 'config'), '[profile deploy]\nregion = eu-west-1\n');
    expect(findAwsCredentialSource({}, dir)).to.equal(undefined);
    expect(findAwsCredentialSource({ AWS_PROFILE: 'deploy' }, dir)).to.match(/profile "deploy" in .*config/);
  });

  it('makes `make plan` stop with one line when the terraform binary is missing', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'terraform.ts'), 'plan'], {
      cwd: root,
      env: { ...process.env, TF: 'no-such-terraform-binary' },
      encoding: 'utf8',
    });
    expect(run.status).to.equal(1);
    expect(run.stderr.trim().split('\n').filter((l) => l.startsWith('make plan:'))).to.deep.equal([
      'make plan: "no-such-terraform-binary" not found on PATH: install Terraform >= 1.5 (or OpenTofu and set TF=tofu)',
    ]);
  });
});
