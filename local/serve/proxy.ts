// Passing a request through to a local server (s3rver, dynalite) unchanged, streamed both ways. The
// method, path, query and headers go as they came, the Host header included: SigV4 signs it, and
// s3rver checks the signature against the Host it receives.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';

export interface Upstream {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  agent: http.Agent;
  close(): void;
}

export function upstream(endpoint: string): Upstream {
  const agent = new http.Agent({ keepAlive: true });
  return { endpoint, agent, close: () => agent.destroy() };
}

// Hop-by-hop headers belong to each connection, not to the request. `Expect: 100-continue` was already
// answered by this server (node does it), and no SDK signs it.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'expect', 'upgrade', 'te', 'trailer']);

/** Node's raw header list ([name, value, name, value…]) without the hop-by-hop ones. */
function endToEnd(raw: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
  }
  return kept;
}

export function proxyRequest(req: IncomingMessage, res: ServerResponse, to: Upstream, onError: (err: Error) => void): void {
  const target = new URL(to.endpoint);
  const outgoing = http.request({
    host: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: endToEnd(req.rawHeaders),
    agent: to.agent,
  });
  outgoing.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.rawHeaders));
    answer.pipe(res);
    answer.on('error', (err) => res.destroy(err));
  });
  outgoing.on('error', (err) => {
    onError(err);
    if (res.headersSent) {
      res.destroy(err);
      return;
    }
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`longhaul serve: ${target.host} did not answer: ${err.message}\n`);
  });
  // A client that goes away mid-request must not leave the upstream request hanging.
  res.on('close', () => {
    if (!res.writableFinished) outgoing.destroy();
  });
  req.pipe(outgoing);
}
