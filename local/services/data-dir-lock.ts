// One set of services per data directory: a second dynalite on the same LevelDB does not fail at
// start but crashes the whole process on its first request, so refuse up front with a clear error.
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../process-alive';

const LOCK_NAME = '.longhaul-services.lock';

/** Takes the directory's lock (replacing one left by a dead process); returns its release. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) {
        const who = owner === process.pid ? 'this process' : `process ${owner}`;
        throw new Error(`Data directory ${dataDir} is already used by local services in ${who}; stop them or pick another dataDir`);
      }
      await rm(path, { force: true }); // stale: its owner died without stopping
    }
  }
  throw new Error(`Could not lock data directory ${dataDir} (${path})`);
}
