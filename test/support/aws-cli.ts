// The real AWS CLI v2 as a test client of `longhaul serve`: only the endpoint, key pair and region it is
// given (none of this machine's config files), async so the server in the same process keeps serving.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const exec = promisify(execFile);
/** Debian's awscli 2.x (the Makefile installs it); a pip 1.x may come first on PATH. */
export const AWS_CLI = '/usr/bin/aws';

export interface AwsCliTarget {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** A folder for the CLI's HOME (no config, no credentials files). */
  home: string;
}

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function awsCli(target: AwsCliTarget): { run(...args: string[]): Promise<AwsCliResult>; json(...args: string[]): Promise<Record<string, unknown>> } {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: target.home,
    AWS_CONFIG_FILE: join(target.home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(target.home, 'no-credentials'),
    AWS_PAGER: '',
    AWS_ACCESS_KEY_ID: target.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
    AWS_DEFAULT_REGION: target.region,
  };
  const run = async (...args: string[]): Promise<AwsCliResult> => {
    try {
      const { stdout, stderr } = await exec(AWS_CLI, ['--endpoint-url', target.endpoint, ...args], { env, maxBuffer: 16 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  return {
    run,
    async json(...args) {
      const result = await run(...args);
      expect(result.code, result.stderr).to.equal(0);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    },
  };
}
