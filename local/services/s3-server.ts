// s3rver in this process, on a free loopback port, storing objects under a directory.
import S3rver from 's3rver';
import AccountModule from 's3rver/lib/models/account.js';
import { closeServer } from './http-close';
import { installS3rverAtomicPutShim } from './s3rver-atomic-put';
import { installS3rverListTokenShim } from './s3rver-list-token';
import { installS3rverPutTaggingShim } from './s3rver-put-tagging';

export interface S3ServerOptions {
  directory: string;
  /** Created at start if missing; existing contents are kept. */
  buckets: string[];
  credentials: { accessKeyId: string; secretAccessKey: string };
  quiet: boolean;
}

export interface RunningServer {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startS3Server(opts: S3ServerOptions): Promise<RunningServer> {
  installS3rverListTokenShim();
  installS3rverPutTaggingShim();
  installS3rverAtomicPutShim();
  // s3rver only accepts signatures from keys registered on its (process-wide) dummy account.
  AccountModule.DUMMY_ACCOUNT.createKeyPair(opts.credentials.accessKeyId, opts.credentials.secretAccessKey);
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: opts.quiet,
    directory: opts.directory,
    configureBuckets: opts.buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  const httpServer = server.httpServer;
  if (!httpServer) throw new Error('s3rver started without an HTTP server');
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => (stopped ??= closeServer(httpServer, () => server.close())),
  };
}
