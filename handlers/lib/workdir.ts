// Per-invocation scratch space in the function's /tmp. Warm Lambda environments (and the local
// runner's warm workers) are reused, so each invocation removes what it created.
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInput } from './errors';

/** Set by the catalog to the function's ephemeral storage, so a local run refuses what Lambda would. */
export const TMP_LIMIT_ENV = 'LONGHAUL_EPHEMERAL_STORAGE_MB';

export async function withWorkDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'longhaul-task-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Bytes this function may still write under `dir`: free space, capped by the configured /tmp size. */
export async function availableBytes(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  const limitMb = Number(env[TMP_LIMIT_ENV]);
  return Number.isFinite(limitMb) && limitMb > 0 ? Math.min(free, limitMb * 1024 * 1024) : free;
}

/** Refuses, before any download, work whose files cannot fit: a full /tmp mid-way wastes minutes and fails anyway. */
export function assertFits(needBytes: number, available: number, what: string, key: string): void {
  if (needBytes > available) {
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    throw new InvalidInput(`${what} needs ${mb(needBytes)} of /tmp but only ${mb(available)} is available`, { key, needBytes, available });
  }
}
