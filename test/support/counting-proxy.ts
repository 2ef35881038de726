// An HTTP proxy in front of a local service that records every request it passes on (method, path and
// query, the DynamoDB operation, body bytes each way): what the server really received, as an oracle for
// client-side counting.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** DynamoDB's X-Amz-Target operation (`UpdateItem`), when there is one. */
  operation?: string;
  requestBytes: number;
  responseBytes: number;
  status: number;
}

export interface CountingProxy {
  endpoint: string;
  seen: SeenRequest[];
  /** Answers the next request with this method itself, with S3's 503 SlowDown, instead of passing it on. */
  slowDownNext(method: string): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target);
  const seen: SeenRequest[] = [];
  let slowDown: string | undefined;
  const server: Server = createServer((req, res) => {
    const target = req.headers['x-amz-target'];
    const record: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      operation: typeof target === 'string' ? target.split('.').pop() : undefined,
      requestBytes: 0,
      responseBytes: 0,
      status: 0,
    };
    seen.push(record);
    req.on('data', (chunk: Buffer) => (record.requestBytes += chunk.length));
    if (slowDown === req.method) {
      slowDown = undefined;
      record.status = 503;
      req.resume();
      req.on('end', () => res.writeHead(503, { 'content-type': 'application/xml' }).end('<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>'));
      return;
    }
    // Headers unchanged, Host included: the client signed them.
    const upstream = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer: IncomingMessage) => {
      record.status = answer.statusCode ?? 0;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on('data', (chunk: Buffer) => (record.responseBytes += chunk.length));
      answer.pipe(res);
    });
    upstream.on('error', (err) => res.destroy(err));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    slowDownNext: (method) => (slowDown = method),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
