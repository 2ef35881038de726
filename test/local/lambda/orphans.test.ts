// Workers must not outlive the process that started them, even when it dies with no chance to clean up
// (SIGKILL) and even when the handler has blocked the worker's event loop.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { sweepStaleTmpRoots } from '../../../local/lambda/tmp-root';
import { waitUntilGone } from '../../support/process-state';

describe('local/lambda orphan workers', () => {
  it('exit with their process group when the parent is killed, idle or busy', async () => {
    const host = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/functions/runtime-host.ts'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(host.stdout!, 'data')) as [Buffer];
      const pids = JSON.parse(line.toString()) as { idle: number; busy: number; tmpRoot: string };
      const hostGone = once(host, 'exit');
      host.kill('SIGKILL');
      expect(await waitUntilGone(pids.idle)).to.equal(true);
      expect(await waitUntilGone(pids.busy)).to.equal(true);
      // The dead host could not remove its workers' /tmp; the next runtime's sweep does.
      await hostGone;
      expect(existsSync(pids.tmpRoot)).to.equal(true);
      sweepStaleTmpRoots();
      expect(existsSync(pids.tmpRoot)).to.equal(false);
    } finally {
      host.kill('SIGKILL');
    }
  });
});
