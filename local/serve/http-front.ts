// The one port of `longhaul serve`: each request goes where its protocol says. `X-Amz-Target:
// AWSStepFunctions.*` to the Step Functions API, `X-Amz-Target: DynamoDB_20120810.*` to dynalite, Lambda's
// REST paths to the Lambda API, `/console` to the browser console, and everything else, S3's REST API, to
// s3rver.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { JsonProtocolApi } from './api-types';
import { jsonTargetAction, serveJsonProtocol, type JsonProtocolService } from './json-protocol';
import { isConsolePath, type ConsoleRoutes } from './console-routes';
import { isLambdaApiPath, type LambdaApi } from './lambda-api';
import { proxyRequest, upstream, type Upstream } from './proxy';

/** Step Functions' quota on one API request (a definition is at most 1 MB). */
export const MAX_SFN_REQUEST_BYTES = 1_048_576;

const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810.';

export interface HttpFrontOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  sfn: JsonProtocolApi;
  lambda: LambdaApi;
  /** Endpoints of s3rver and dynalite. */
  s3: string;
  dynamodb: string;
  /** A failure of the server itself (an upstream that did not answer, a bug): logged, never thrown. */
  onError(err: Error): void;
  /** The browser console at `/console`; closed with the server. */
  console?: ConsoleRoutes;
}

export interface HttpFront {
  /** `http://127.0.0.1:4566` */
  endpoint: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** The warning to print when the server listens beyond this machine; undefined on loopback. */
export function exposureWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  return `warning: listening on ${host}, not loopback: anyone who can reach this address can read and write the bucket and table and run functions (there is no authentication)`;
}

export async function startHttpFront(opts: HttpFrontOptions): Promise<HttpFront> {
  const host = opts.host ?? '127.0.0.1';
  const sfn: JsonProtocolService = { targetPrefix: 'AWSStepFunctions', title: 'Step Functions', api: opts.sfn, maxRequestBytes: MAX_SFN_REQUEST_BYTES };
  const s3 = upstream(opts.s3);
  const dynamodb = upstream(opts.dynamodb);
  const server = http.createServer((req, res) => {
    route(req, res, { sfn, lambda: opts.lambda, s3, dynamodb, console: opts.console, onError: opts.onError }).catch((err: unknown) => {
      opts.onError(err as Error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Long Lambda invocations (up to 15 minutes) hold their request open: no server-side timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  try {
    await listen(server, host, opts.port);
  } catch (err) {
    s3.close();
    dynamodb.close();
    throw err;
  }
  const port = (server.address() as { port: number }).port;
  const shownHost = isIP(host) === 6 ? `[${host}]` : host;
  return {
    endpoint: `http://${shownHost}:${port}`,
    host,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      s3.close();
      dynamodb.close();
      opts.console?.close();
    },
  };
}

interface Routes {
  sfn: JsonProtocolService;
  lambda: LambdaApi;
  s3: Upstream;
  dynamodb: Upstream;
  console?: ConsoleRoutes;
  onError(err: Error): void;
}

async function route(req: IncomingMessage, res: ServerResponse, routes: Routes): Promise<void> {
  const target = req.headers['x-amz-target'];
  const targetText = Array.isArray(target) ? target[0] : target;
  const action = jsonTargetAction(targetText, routes.sfn.targetPrefix);
  if (action !== undefined) return serveJsonProtocol(routes.sfn, action, req, res, routes.onError);
  if (targetText?.startsWith(DYNAMODB_TARGET_PREFIX)) return proxyRequest(req, res, routes.dynamodb, routes.onError);
  const path = (req.url ?? '/').split('?')[0]!;
  if (isLambdaApiPath(path)) return routes.lambda(req, res);
  if (routes.console && isConsolePath(path)) return routes.console.handle(req, res);
  return proxyRequest(req, res, routes.s3, routes.onError);
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new Error(`port ${port} on ${host} is already in use (another longhaul serve, or LocalStack?): pick another with --port`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new Error(`host ${host} is not an address of this machine: pick another with --host`));
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
