// What the local S3 and DynamoDB servers answered, request by request: both run in this process (s3rver,
// dynalite), so every request any worker, the engine or this process makes passes through an
// http.Server here. Counting at the server sees what a handler does without editing it, and costs
// nothing on the data path (no proxy hop): the response's write/end are wrapped to sum body bytes.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** S3's billing classes: PUT, COPY, POST and LIST at one price, GET and HEAD at another, DELETE free. */
export type S3Op = 'GET' | 'HEAD' | 'LIST' | 'PUT' | 'COPY' | 'POST' | 'DELETE' | 'OTHER';

export interface S3Request {
  at: number;
  op: S3Op;
  key: string;
  /** Body bytes sent back (a GET's object bytes). */
  bytesOut: number;
  /** Content-Length of the request body (a PUT's object bytes). */
  bytesIn: number;
}

export interface DynamoRequest {
  at: number;
  /** The API action: GetItem, UpdateItem, Query... */
  op: string;
}

export interface S3Counts {
  requests: Record<S3Op, number>;
  /** Bytes of GET bodies, by where the key lives: the job's input, or anything else (work/, output/). */
  bytesRead: { input: number; other: number };
  bytesWritten: number;
}

export interface DynamoCounts {
  reads: number;
  writes: number;
}

const DYNAMO_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const DYNAMO_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

function s3Op(req: IncomingMessage, url: URL, key: string): S3Op {
  switch (req.method) {
    case 'GET':
      return key === '' || url.searchParams.has('list-type') ? 'LIST' : 'GET';
    case 'HEAD':
      return 'HEAD';
    case 'PUT':
      return req.headers['x-amz-copy-source'] ? 'COPY' : 'PUT';
    case 'POST':
      return url.searchParams.has('delete') ? 'DELETE' : 'POST';
    case 'DELETE':
      return 'DELETE';
    default:
      return 'OTHER';
  }
}

function chunkBytes(chunk: unknown, encoding: unknown): number {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return 0;
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return (chunk as Uint8Array).byteLength ?? 0;
}

/** Counts the body bytes written to `res`, calling `done` with them once the response has finished. */
function countBody(res: ServerResponse, done: (bytes: number) => void): void {
  let bytes = 0;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((...args: unknown[]) => {
    bytes += chunkBytes(args[0], args[1]);
    return write(...args);
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    bytes += chunkBytes(args[0], args[1]);
    return end(...args);
  }) as ServerResponse['end'];
  res.once('close', () => done(bytes));
}

export class RequestMeter {
  readonly s3: S3Request[] = [];
  readonly dynamo: DynamoRequest[] = [];
  private s3Port = -1;
  private dynamoPort = -1;

  /** Counts the requests of the servers behind these endpoints (a new stack's), from now on. */
  watch(endpoints: { s3: string; dynamodb: string }): void {
    this.s3Port = Number(new URL(endpoints.s3).port);
    this.dynamoPort = Number(new URL(endpoints.dynamodb).port);
  }

  observe(server: http.Server, req: IncomingMessage, res: ServerResponse): void {
    const port = (server.address() as AddressInfo | null)?.port;
    const at = Date.now();
    if (port === this.s3Port) {
      const url = new URL(req.url ?? '/', 'http://local');
      // Path style: /<bucket>/<key>.
      const path = decodeURIComponent(url.pathname).replace(/^\/+/, '');
      const slash = path.indexOf('/');
      const key = slash === -1 ? '' : path.slice(slash + 1);
      const op = s3Op(req, url, key);
      const bytesIn = Number(req.headers['content-length'] ?? 0) || 0;
      countBody(res, (bytesOut) => this.s3.push({ at, op, key, bytesOut: op === 'GET' ? bytesOut : 0, bytesIn: op === 'PUT' ? bytesIn : 0 }));
    } else if (port === this.dynamoPort) {
      const target = String(req.headers['x-amz-target'] ?? '');
      this.dynamo.push({ at, op: target.slice(target.lastIndexOf('.') + 1) });
    }
  }

  /** S3 requests that arrived in [from, to). */
  s3Between(from: number, to: number): S3Counts {
    const counts: S3Counts = {
      requests: { GET: 0, HEAD: 0, LIST: 0, PUT: 0, COPY: 0, POST: 0, DELETE: 0, OTHER: 0 },
      bytesRead: { input: 0, other: 0 },
      bytesWritten: 0,
    };
    for (const r of this.s3) {
      if (r.at < from || r.at >= to) continue;
      counts.requests[r.op] += 1;
      if (r.op === 'GET') counts.bytesRead[/^jobs\/[^/]+\/input\//.test(r.key) ? 'input' : 'other'] += r.bytesOut;
      counts.bytesWritten += r.bytesIn;
    }
    return counts;
  }

  dynamoBetween(from: number, to: number): DynamoCounts {
    const counts: DynamoCounts = { reads: 0, writes: 0 };
    for (const r of this.dynamo) {
      if (r.at < from || r.at >= to) continue;
      if (DYNAMO_WRITES.has(r.op)) counts.writes += 1;
      else if (DYNAMO_READS.has(r.op)) counts.reads += 1;
    }
    return counts;
  }
}

let installed: RequestMeter | undefined;

/** The process's meter, hooked into every http.Server's 'request' event (once). */
export function installRequestMeter(): RequestMeter {
  if (installed) return installed;
  const meter = new RequestMeter();
  const emit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') meter.observe(this, args[0] as IncomingMessage, args[1] as ServerResponse);
    return emit.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;
  installed = meter;
  return meter;
}
