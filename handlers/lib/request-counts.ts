// What the current invocation asked of S3 and DynamoDB, counted by SDK middleware on the handlers' own
// clients (s3.ts, progress.ts) so `longhaul cost` can price a job's requests from what really went out.
// One count per HTTP attempt (the SDK's retries are billed too); a request the local IAM check refuses
// never leaves and is not counted. One invocation at a time per process, as in Lambda: the counts are the
// process's, reset when an invocation starts (metrics.ts).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * S3 requests by price class (S3 Standard's price list): `put` and `list` are the PUT/COPY/POST/LIST tier,
 * `get` and `other` (HEAD, tagging reads...) the GET tier, `delete` (DELETE, multipart abort) is free.
 */
export interface S3RequestCounts {
  get: number;
  put: number;
  list: number;
  other: number;
  delete: number;
}

export interface RequestCounts {
  s3: S3RequestCounts;
  /** Body bytes of GetObject responses and of PutObject/UploadPart requests. */
  s3BytesRead: number;
  s3BytesWritten: number;
  dynamodb: {
    requests: number;
    /** Capacity units DynamoDB reported (ReturnConsumedCapacity TOTAL), by the kind of operation. */
    readUnits: number;
    writeUnits: number;
  };
}

export function zeroRequestCounts(): RequestCounts {
  return {
    s3: { get: 0, put: 0, list: 0, other: 0, delete: 0 },
    s3BytesRead: 0,
    s3BytesWritten: 0,
    dynamodb: { requests: 0, readUnits: 0, writeUnits: 0 },
  };
}

let counts = zeroRequestCounts();

export function resetRequestCounts(): void {
  counts = zeroRequestCounts();
}

/** A copy of the counts since the last reset. */
export function readRequestCounts(): RequestCounts {
  return { ...counts, s3: { ...counts.s3 }, dynamodb: { ...counts.dynamodb } };
}

const S3_CLASS_OF: Record<string, keyof S3RequestCounts> = {
  GetObject: 'get',
  PutObject: 'put',
  CopyObject: 'put',
  CreateMultipartUpload: 'put',
  UploadPart: 'put',
  UploadPartCopy: 'put',
  CompleteMultipartUpload: 'put',
  PutObjectTagging: 'put',
  ListObjectsV2: 'list',
  ListObjects: 'list',
  ListMultipartUploads: 'list',
  ListParts: 'list',
  DeleteObject: 'delete',
  DeleteObjects: 'delete',
  AbortMultipartUpload: 'delete',
};

const DYNAMODB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const DYNAMODB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

const operationOf = (commandName: unknown): string => String(commandName ?? '').replace(/Command$/, '');

interface HttpParts {
  request?: { headers?: Record<string, string>; body?: unknown };
  response?: { headers?: Record<string, string> };
}

function contentLength(headers: Record<string, string> | undefined, body?: unknown): number {
  const header = headers?.['content-length'] ?? headers?.['Content-Length'];
  if (header !== undefined) return Number(header) || 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return 0;
}

// The deserialize step runs once per HTTP attempt, inside the retry loop; priority high wraps the
// deserializer, so the parsed output (DynamoDB's ConsumedCapacity) is in hand.
const PER_ATTEMPT = { step: 'deserialize', priority: 'high', override: true } as const;

export function countS3Requests(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      counts.s3[S3_CLASS_OF[operation] ?? 'other'] += 1;
      const request = (args as HttpParts).request;
      if (operation === 'PutObject' || operation === 'UploadPart') counts.s3BytesWritten += contentLength(request?.headers, request?.body);
      const result = await next(args);
      if (operation === 'GetObject') counts.s3BytesRead += contentLength((result as HttpParts).response?.headers);
      return result;
    },
    { ...PER_ATTEMPT, name: 'longhaulRequestCounts' },
  );
}

interface Capacity {
  CapacityUnits?: number;
}

function unitsOf(consumed: Capacity | Capacity[] | undefined): number {
  if (!consumed) return 0;
  return (Array.isArray(consumed) ? consumed : [consumed]).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

/** Asks DynamoDB for the capacity each call consumed and adds it up. */
export function countDynamoDbUnits(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      const input = args.input as { ReturnConsumedCapacity?: string };
      const asks = (DYNAMODB_READS.has(operation) || DYNAMODB_WRITES.has(operation)) && input.ReturnConsumedCapacity === undefined;
      // A copy: the caller's input object stays as it was written.
      return next(asks ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args);
    },
    { step: 'initialize', name: 'longhaulConsumedCapacity', override: true },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      const kind = DYNAMODB_WRITES.has(operation) ? 'writeUnits' : 'readUnits';
      counts.dynamodb.requests += 1;
      try {
        const result = await next(args);
        counts.dynamodb[kind] += unitsOf((result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity);
        return result;
      } catch (err) {
        // A failed condition is still a write DynamoDB bills, at least one unit (more for a large item,
        // which the error does not report).
        if ((err as { name?: string }).name === 'ConditionalCheckFailedException') counts.dynamodb.writeUnits += 1;
        throw err;
      }
    },
    { ...PER_ATTEMPT, name: 'longhaulRequestCounts' },
  );
}
