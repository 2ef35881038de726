#!/usr/bin/env node
// Thin launcher: runs the TypeScript CLI through tsx so `npx longhaul` works without a build step.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Resolved from here, not from the caller's directory, so the command works from anywhere.
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--import', tsx, join(root, 'local/cli/main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// A launcher killed by a supervisor (or a closed terminal) must not leave the CLI, and the servers and
// workers it runs, behind: pass the signal on so the CLI shuts down as it does on Ctrl-C. Always as
// SIGTERM: a Ctrl-C in a terminal also reaches the CLI itself as SIGINT, and a second SIGINT would
// kill it before its cleanup; SIGTERM is the other signal the CLI handles gracefully (once).
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
}
child.on('error', (err) => {
  console.error(`longhaul: could not start the CLI: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1));
});
