// AWS's JSON protocol (Step Functions: `X-Amz-Target: AWSStepFunctions.<Action>`, `application/x-amz-json-1.0`):
// the body in, the API's answer or error out. Errors are `{"__type": …, "message": …}`, which the CLI
// prints as `An error occurred (Type) when calling the X operation: message`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, type JsonProtocolApi } from './api-types';
import { BodyTooLargeError, readBody } from './request-body';

export interface JsonProtocolService {
  /** The target prefix before the dot: `AWSStepFunctions`. */
  targetPrefix: string;
  /** Shown in errors: `Step Functions`. */
  title: string;
  api: JsonProtocolApi;
  /** The service's request size quota. */
  maxRequestBytes: number;
}

/** `AWSStepFunctions.StartExecution` → `StartExecution`, when the target names this service. */
export function jsonTargetAction(target: string | undefined, prefix: string): string | undefined {
  if (!target?.startsWith(`${prefix}.`)) return undefined;
  return target.slice(prefix.length + 1);
}

export async function serveJsonProtocol(
  service: JsonProtocolService,
  action: string,
  req: IncomingMessage,
  res: ServerResponse,
  onError: (err: Error) => void,
): Promise<void> {
  try {
    const body = parseBody(await readBody(req, service.maxRequestBytes));
    const answer = await service.api(action, body);
    reply(res, 200, answer ?? {});
  } catch (err) {
    const error = asApiError(err, service);
    if (error.status >= 500) onError(err as Error);
    reply(res, error.status, { __type: error.type, message: error.message });
  }
}

function parseBody(raw: Buffer): Record<string, unknown> {
  // The CLI and SDKs always send at least `{}`; an empty body means the same.
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ApiError('SerializationException', `Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError('SerializationException', `Request body must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : String(parsed === null ? 'null' : typeof parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

function asApiError(err: unknown, service: JsonProtocolService): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof BodyTooLargeError) {
    return new ApiError('RequestEntityTooLargeException', `${service.title} refuses this request: ${err.message}, its quota per API request`, 413);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('InternalFailure', `longhaul serve failed on this request: ${message}`, 500);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
