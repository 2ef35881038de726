#!/usr/bin/env node
// Thin launcher: runs the TypeScript CLI through tsx so `npx longhaul` works without a build step.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Resolved from here, not from the caller's directory, so the command works from anywhere.
const tsx = import.meta.resolve('tsx');
const result = spawnSync(process.execPath, ['--import', tsx, join(root, 'local/cli/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  // Local runs use this machine's node 20; the SDK's upgrade notice says nothing about the job.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
});
process.exit(result.status ?? 1);
