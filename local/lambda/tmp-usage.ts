// How much a worker's /tmp holds. Lambda's /tmp is a fixed-size volume (ephemeralStorageMb) where
// writes past the size fail with ENOSPC; locally we cannot cap a directory, so we measure and warn.
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FunctionSpec } from '../../handlers/catalog-types';
import type { LogLine } from './types';

export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(full);
    else total += await lstat(full).then((s) => s.size, () => 0);
  }
  return total;
}

/** The warning to log when /tmp outgrew the function's ephemeral storage, or undefined. */
export async function tmpOverLimitWarning(dir: string, limitMb: number): Promise<string | undefined> {
  const bytes = await directoryBytes(dir);
  if (bytes <= limitMb * 1024 * 1024) return undefined;
  const usedMb = (bytes / 1024 / 1024).toFixed(1);
  return `/tmp holds ${usedMb} MB, more than this function's ephemeralStorageMb (${limitMb} MB): on AWS the writes past ${limitMb} MB would fail with ENOSPC`;
}

/** Walking /tmp after every call would cost a quarter of a no-op invocation: once a second per worker at most. */
const TMP_CHECK_INTERVAL_MS = 1000;

/** Logs tmpOverLimitWarning for a worker after an invocation, without waiting for the walk. */
export type TmpUsageCheck = (worker: { readonly tmpDir: string }, spec: FunctionSpec, requestId: string) => void;

export function createTmpUsageCheck(onLog: (line: LogLine) => void): TmpUsageCheck {
  const lastCheck = new WeakMap<object, number>();
  return (worker, spec, requestId) => {
    const now = performance.now();
    if (now - (lastCheck.get(worker) ?? -Infinity) < TMP_CHECK_INTERVAL_MS) return;
    lastCheck.set(worker, now);
    void tmpOverLimitWarning(worker.tmpDir, spec.ephemeralStorageMb).then((text) => {
      if (text) onLog({ functionName: spec.name, requestId, stream: 'runtime', text });
    });
  };
}
