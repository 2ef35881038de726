// dynalite in this process, on a free loopback port, persisting to a LevelDB directory.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { closeServer } from './http-close';
import type { RunningServer } from './s3-server';

export async function startDynamoServer(opts: { directory: string }): Promise<RunningServer> {
  await mkdir(opts.directory, { recursive: true });
  // Tables become ACTIVE at once: nothing to wait for locally.
  const server = dynalite({ path: opts.directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // dynalite's close also closes its LevelDB, which must happen before the directory is reopened.
    stop: () =>
      (stopped ??= closeServer(
        server,
        () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
      )),
  };
}
