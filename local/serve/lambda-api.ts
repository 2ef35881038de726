// Lambda's REST API over the local runner, for `longhaul serve`: Invoke (RequestResponse, Event, DryRun),
// ListFunctions, GetFunction and GetFunctionConfiguration, under the names infra deploys. Errors use
// Lambda's REST-JSON shape (`x-amzn-ErrorType` header, `{"Type", "Message"}` body), which the CLI prints
// as `An error occurred (ResourceNotFoundException) when calling the Invoke operation: …`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { LAMBDA_SERVICE_ERRORS } from '../lambda/lambda-errors';
import { MAX_REQUEST_BYTES } from '../lambda/payload-limits';
import type { InvokeOutcome, LambdaError, LambdaInvoker } from '../lambda/types';
import type { DeployedFunction, DeployedNames } from './deployed-names';
import type { FunctionConfiguration } from './function-configuration';
import { BodyTooLargeError, readBody } from './request-body';

export const LAMBDA_API_PREFIX = '/2015-03-31/functions';

/** Invoke's documented payload quota for asynchronous (`Event`) invocations: 1 MB (256 KB before 2025). */
export const MAX_ASYNC_REQUEST_BYTES = 1_048_576;

const LIST_DEFAULT_ITEMS = 50;
const LIST_MAX_ITEMS = 10_000;

export interface LambdaApiOptions {
  names: DeployedNames;
  /** The runner, called with catalog names. */
  runner: LambdaInvoker;
  configuration(fn: DeployedFunction): FunctionConfiguration;
  /** Absolute path of a function's handler module, shown as GetFunction's code location. */
  codePath(fn: DeployedFunction): string;
  /** A failure of this server itself (not of a function): logged, answered with a 500. */
  onError(err: Error): void;
  /** An `Event` invocation that failed: nobody waits for its result, so it is reported here. */
  onAsyncFailure(fn: DeployedFunction, error: LambdaError): void;
}

export type LambdaApi = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function isLambdaApiPath(path: string): boolean {
  return path === LAMBDA_API_PREFIX || path.startsWith(`${LAMBDA_API_PREFIX}/`);
}

interface RestAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON unless a string (already JSON text). */
  body?: unknown;
}

/** A request the API refuses, in Lambda's error shape. */
class LambdaApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const ERROR_STATUS: Readonly<Record<string, number>> = { ResourceNotFoundException: 404, RequestEntityTooLargeException: 413 };

export function createLambdaApi(opts: LambdaApiOptions): LambdaApi {
  return async (req, res) => {
    let answer: RestAnswer;
    try {
      answer = await route(opts, req);
    } catch (err) {
      answer = errorAnswer(err, opts);
    }
    send(res, answer);
  };
}

async function route(opts: LambdaApiOptions, req: IncomingMessage): Promise<RestAnswer> {
  const url = new URL(req.url ?? '/', 'http://local');
  const rest = url.pathname.slice(LAMBDA_API_PREFIX.length).split('/').filter((s) => s !== '');
  const method = req.method ?? 'GET';
  if (method === 'GET' && rest.length === 0) return listFunctions(opts, url.searchParams);
  const [encodedName, operation, ...extra] = rest;
  if (encodedName !== undefined && extra.length === 0) {
    const name = decodeURIComponent(encodedName);
    const qualifier = url.searchParams.get('Qualifier') ?? undefined;
    if (method === 'POST' && operation === 'invocations') return invoke(opts, req, lookup(opts, name, qualifier));
    if (method === 'GET' && operation === undefined) return getFunction(opts, lookup(opts, name, qualifier));
    if (method === 'GET' && operation === 'configuration') return { status: 200, body: opts.configuration(lookup(opts, name, qualifier)) };
  }
  throw new LambdaApiError(
    'UnknownOperationException',
    `longhaul serve does not implement ${method} ${url.pathname} (its Lambda API: Invoke, ListFunctions, GetFunction, GetFunctionConfiguration)`,
  );
}

function lookup(opts: LambdaApiOptions, name: string, qualifier: string | undefined): DeployedFunction {
  const found = opts.names.lookupFunction(qualifier === undefined ? name : `${name}:${qualifier}`);
  if (!found.ok) throw new LambdaApiError('ResourceNotFoundException', found.message, 404);
  return found.fn;
}

function listFunctions(opts: LambdaApiOptions, query: URLSearchParams): RestAnswer {
  const maxItems = parseMaxItems(query.get('MaxItems'));
  const all = [...opts.names.functions].sort((a, b) => a.functionName.localeCompare(b.functionName));
  const marker = query.get('Marker');
  let start = 0;
  if (marker !== null && marker !== '') {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    start = all.findIndex((fn) => fn.functionName === after);
    if (start < 0) throw new LambdaApiError('InvalidParameterValueException', `Marker: "${marker}" is not a marker this server returned`);
  }
  const page = all.slice(start, start + maxItems);
  const next = all[start + maxItems];
  return {
    status: 200,
    body: {
      Functions: page.map((fn) => opts.configuration(fn)),
      ...(next ? { NextMarker: Buffer.from(next.functionName, 'utf8').toString('base64url') } : {}),
    },
  };
}

function parseMaxItems(raw: string | null): number {
  if (raw === null || raw === '') return LIST_DEFAULT_ITEMS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > LIST_MAX_ITEMS) {
    throw new LambdaApiError('InvalidParameterValueException', `MaxItems must be a whole number from 1 to ${LIST_MAX_ITEMS}, got "${raw}"`);
  }
  return n;
}

function getFunction(opts: LambdaApiOptions, fn: DeployedFunction): RestAnswer {
  return {
    status: 200,
    body: {
      Configuration: opts.configuration(fn),
      // Lambda returns a presigned URL of the deployment package; locally the code is the handler module.
      Code: { RepositoryType: 'Local', Location: pathToFileURL(opts.codePath(fn)).href },
    },
  };
}

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

function invocationType(raw: string | string[] | undefined): InvocationType {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') return 'RequestResponse';
  if (value === 'RequestResponse' || value === 'Event' || value === 'DryRun') return value;
  throw new LambdaApiError('InvalidParameterValueException', `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got "${value}"`);
}

async function invoke(opts: LambdaApiOptions, req: IncomingMessage, fn: DeployedFunction): Promise<RestAnswer> {
  const type = invocationType(req.headers['x-amz-invocation-type']);
  const limit = type === 'Event' ? MAX_ASYNC_REQUEST_BYTES : MAX_REQUEST_BYTES;
  const payload = parsePayload(await readBody(req, limit));
  if (type === 'DryRun') return { status: 204 };
  if (type === 'Event') {
    void opts.runner.invoke(fn.catalogName, payload).then(
      (outcome) => {
        if (!outcome.ok) opts.onAsyncFailure(fn, outcome.error);
      },
      (err: unknown) => opts.onError(err as Error),
    );
    return { status: 202, headers: { 'x-amzn-requestid': randomUUID() } };
  }
  return invokeAnswer(await opts.runner.invoke(fn.catalogName, payload));
}

function parsePayload(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw new LambdaApiError('InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`);
  }
}

function invokeAnswer(outcome: InvokeOutcome): RestAnswer {
  const headers = { 'x-amzn-requestid': outcome.requestId, 'x-amz-executed-version': '$LATEST' };
  if (outcome.ok) return { status: 200, headers, body: JSON.stringify(outcome.payload) ?? 'null' };
  const { error } = outcome;
  if (LAMBDA_SERVICE_ERRORS.has(error.errorType)) throw new LambdaApiError(error.errorType, error.errorMessage, ERROR_STATUS[error.errorType] ?? 400);
  // A function error is a successful Invoke call: 200, the error object as the payload, and the header saying so.
  return { status: 200, headers: { ...headers, 'x-amz-function-error': 'Unhandled' }, body: error };
}

function asLambdaApiError(err: unknown, opts: LambdaApiOptions): LambdaApiError {
  if (err instanceof LambdaApiError) return err;
  if (err instanceof BodyTooLargeError) {
    const got = `${err.atLeast ? 'at least ' : ''}${err.bytes} bytes`;
    return new LambdaApiError('RequestEntityTooLargeException', `Request must be smaller than ${err.limitBytes} bytes for the InvokeFunction operation (got ${got})`, 413);
  }
  opts.onError(err as Error);
  return new LambdaApiError('ServiceException', `longhaul serve failed on this request: ${(err as Error).message}`, 500);
}

function errorAnswer(err: unknown, opts: LambdaApiOptions): RestAnswer {
  const error = asLambdaApiError(err, opts);
  return {
    status: error.status,
    headers: { 'x-amzn-errortype': error.type, 'x-amzn-requestid': randomUUID() },
    body: { Type: error.status >= 500 ? 'Service' : 'User', Message: error.message },
  };
}

function send(res: ServerResponse, answer: RestAnswer): void {
  const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...(text ? { 'content-type': 'application/json' } : {}),
    'content-length': String(Buffer.byteLength(text)),
    ...answer.headers,
  });
  res.end(text);
}
