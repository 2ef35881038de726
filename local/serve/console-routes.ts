// `/console` on `longhaul serve`: the browser console's static files (`console/`: HTML, CSS and plain JS
// modules, no build step) and the few endpoints the browser cannot do itself, each composing the modules
// the command-line tools use: the job's progress record (`getJob`, counters summed), the timeline SVG and
// the cost, read through this same server's own AWS APIs. Everything else the page does (lists,
// history, Stop, Redrive) is Step Functions' JSON protocol on `/`, as any AWS client sends it.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getJob } from '../../handlers/lib/progress';
import { JOB_ID_PATTERN } from '../../handlers/lib/storage-layout';
import { createOperateClients, type OperateClients } from '../operate/aws-target';
import { estimateCost, formatCost } from '../operate/cost';
import { readExecutionTrace, recentClosedHistories } from '../operate/execution-trace';
import { invokedFunctions, readFunctionConfigs, timeoutsOf } from '../operate/function-configs';
import { jobUsage } from '../operate/job-usage';
import { DEFAULT_PRICES } from '../operate/prices';
import { renderTimelineSvg } from '../operate/timeline';

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'console');
const PREFIX = '/console';
/** The cost panel scales the job's figures to this many jobs, as `longhaul cost --per` does by default. */
const COST_PER_JOBS = 1000;
/**
 * Closed histories kept across requests: the page asks for the timeline and the cost together, and again
 * as the execution moves, and a finished Map item's history never changes. Bounded, as serve runs for days.
 */
const KEPT_CLOSED_HISTORIES = 5000;

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

// Execution data is shown on the page: nothing but this origin's own scripts may run, whatever it holds.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/** `/console` and below. An S3 bucket named `console` would be shadowed: the local bucket has another name. */
export function isConsolePath(path: string): boolean {
  return path === PREFIX || path.startsWith(`${PREFIX}/`);
}

export interface ConsoleOptions {
  region: string;
  /** The progress table the handlers write. */
  table: string;
  /** The server's data dir, where the runner keeps the handlers' EMF records (S3 and DynamoDB usage). */
  dataDir: string;
}

export interface ConsoleRoutes {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Drops the clients the endpoints made. */
  close(): void;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createConsoleRoutes(opts: ConsoleOptions): ConsoleRoutes {
  // Clients for this server itself, by the address the request came in on (the port is known only once
  // the server listens, and that address is one it surely answers on).
  const clientsByEndpoint = new Map<string, OperateClients>();
  const clientsFor = (req: IncomingMessage): OperateClients => {
    const endpoint = ownEndpoint(req);
    let clients = clientsByEndpoint.get(endpoint);
    if (!clients) {
      // An empty environment: the clients take the local server's key pair, never this process's credentials.
      clients = createOperateClients({ endpoint, region: opts.region, table: opts.table }, {});
      clientsByEndpoint.set(endpoint, clients);
    }
    return clients;
  };

  const closedHistories = recentClosedHistories(KEPT_CLOSED_HISTORIES);
  const api: Record<string, (query: URLSearchParams, req: IncomingMessage) => Promise<Reply>> = {
    job: async (query, req) => {
      const jobId = requiredParam(query, 'jobId');
      if (!JOB_ID_PATTERN.test(jobId)) throw new HttpProblem(400, `jobId must match ${JOB_ID_PATTERN}, got ${JSON.stringify(jobId)}`);
      const job = await getJob(jobId, { table: opts.table, client: clientsFor(req).dynamodb });
      return json({ job: job ?? null });
    },
    'timeline.svg': async (query, req) => {
      const clients = clientsFor(req);
      const trace = await readExecutionTrace(clients, requiredParam(query, 'executionArn'), { closedHistories });
      const timeouts = timeoutsOf(await readFunctionConfigs(clients.lambda, invokedFunctions(trace)));
      return { status: 200, type: 'image/svg+xml; charset=utf-8', body: renderTimelineSvg(trace, timeouts) };
    },
    cost: async (query, req) => {
      const clients = clientsFor(req);
      const trace = await readExecutionTrace(clients, requiredParam(query, 'executionArn'), { closedHistories });
      const functions = await readFunctionConfigs(clients.lambda, invokedFunctions(trace));
      const usage = await jobUsage(trace, { dataDir: opts.dataDir });
      const estimate = estimateCost({ trace, functions, prices: DEFAULT_PRICES, usage });
      return json({ text: formatCost(estimate, COST_PER_JOBS), estimate });
    },
  };

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://console');
      const path = url.pathname;
      let reply: Reply;
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpProblem(405, `${req.method} is not served under ${PREFIX}: only GET`);
        if (path === PREFIX) reply = { status: 302, type: 'text/plain; charset=utf-8', body: '', location: `${PREFIX}/` };
        else if (path.startsWith(`${PREFIX}/api/`)) {
          const name = path.slice(`${PREFIX}/api/`.length);
          const endpoint = Object.hasOwn(api, name) ? api[name] : undefined;
          if (!endpoint) throw new HttpProblem(404, `no console endpoint ${path}: there are ${Object.keys(api).map((n) => `${PREFIX}/api/${n}`).join(', ')}`);
          reply = await endpoint(url.searchParams, req);
        } else reply = await staticFile(path.slice(PREFIX.length + 1) || 'index.html');
      } catch (err) {
        reply = problemReply(err);
      }
      res.writeHead(reply.status, {
        ...SECURITY_HEADERS,
        'content-type': reply.type,
        'content-length': Buffer.byteLength(reply.body),
        ...(reply.location ? { location: reply.location } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : reply.body);
    },
    close() {
      for (const clients of clientsByEndpoint.values()) clients.destroy();
      clientsByEndpoint.clear();
    },
  };
}

interface Reply {
  status: number;
  type: string;
  body: string | Buffer;
  location?: string;
}

function json(value: unknown, status = 200): Reply {
  return { status, type: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

function requiredParam(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (!value) throw new HttpProblem(400, `the query parameter ${name} is required`);
  return value;
}

// Flat directory, known extensions: nothing outside `console/` can be named.
async function staticFile(name: string): Promise<Reply> {
  const match = /^[a-z0-9-]+\.([a-z]+)$/.exec(name);
  const type = match ? CONTENT_TYPES[match[1]!] : undefined;
  if (!type) throw new HttpProblem(404, `no console file ${name}`);
  try {
    return { status: 200, type, body: await readFile(join(STATIC_DIR, name)) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new HttpProblem(404, `no console file ${name}`);
    throw err;
  }
}

function problemReply(err: unknown): Reply {
  if (err instanceof HttpProblem) return json({ message: err.message }, err.status);
  const named = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  // The server's own API said no (an execution that does not exist…): its status and words.
  const status = named.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500) return json({ message: `${named.name}: ${named.message}` }, status === 400 && named.name?.endsWith('DoesNotExist') ? 404 : status);
  return json({ message: `the console endpoint failed: ${named.message ?? String(err)}` }, 500);
}

function ownEndpoint(req: IncomingMessage): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  return `http://${isIP(address) === 6 ? `[${address}]` : address}:${req.socket.localPort}`;
}
