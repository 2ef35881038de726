// The directory holding every worker's /tmp. Its name carries the owner's pid, so a later runtime can
// remove the leftovers of a process that died without running close() (SIGKILL, a crashed test run).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../process-alive';

const PREFIX = 'longhaul-lambda-';
const owned = new RegExp(`^${PREFIX}(\\d+)-`);

/** Removes roots whose owner process is gone; a reused pid only means a leftover survives a bit longer. */
export function sweepStaleTmpRoots(parent = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const m = owned.exec(name);
    if (m && !isProcessAlive(Number(m[1]))) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

export function createTmpRoot(parent = tmpdir()): string {
  sweepStaleTmpRoots(parent);
  return mkdtempSync(path.join(parent, `${PREFIX}${process.pid}-`));
}
