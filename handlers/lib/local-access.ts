// Local stand-in for the function's IAM role. In AWS a handler touching a key its catalog entry does
// not grant gets AccessDenied; locally nothing would stop it, so the bug would only show after deploy.
// The local runner puts the function's grant (derived from the same policy infra deploys) in the
// worker's environment, and the SDK clients built here refuse what that grant does not allow.
// Unset (in AWS, in tests calling handlers directly) means no check: the real IAM decides.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';

/** Environment variable holding the JSON LocalAccessGrant; set only by the local runner. */
export const LOCAL_ACCESS_ENV = 'LONGHAUL_LOCAL_ACCESS';

export interface LocalAccessGrant {
  functionName: string;
  bucket: string;
  /** IAM action (`s3:GetObject`...) → object key patterns it is allowed on (IAM wildcards `*` and `?`). */
  objectActions: Record<string, string[]>;
  /** IAM actions allowed on the bucket itself (`s3:ListBucket`). */
  bucketActions: string[];
  /** DynamoDB actions allowed on the progress table. */
  tableActions: string[];
}

/** The grant in the environment, or undefined when no local check applies. */
export function readLocalAccess(env: NodeJS.ProcessEnv = process.env): LocalAccessGrant | undefined {
  const text = env[LOCAL_ACCESS_ENV];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as LocalAccessGrant;
  } catch (err) {
    throw new Error(`${LOCAL_ACCESS_ENV} is not valid JSON: ${(err as Error).message}`);
  }
}

/** IAM resource wildcards: `*` any run of characters, `/` included; `?` exactly one. */
export function matchesIamPattern(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

// SDK command → the IAM action S3 authorizes it with (HEAD is authorized as GetObject, the multipart
// steps as PutObject). Anything unlisted needs the action of its own name.
const S3_ACTION_OF: Record<string, string> = {
  HeadObject: 's3:GetObject',
  GetObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  CopyObject: 's3:PutObject',
  UploadPartCopy: 's3:PutObject',
  PutObjectTagging: 's3:PutObjectTagging',
  GetObjectTagging: 's3:GetObjectTagging',
  DeleteObject: 's3:DeleteObject',
  DeleteObjects: 's3:DeleteObject',
  ListObjectsV2: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
};

function accessDenied(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

interface S3Input {
  Bucket?: string;
  Key?: string;
  Tagging?: string;
  /** CopyObject, UploadPartCopy: `bucket/key`, the key URL-encoded. */
  CopySource?: string;
  Delete?: { Objects?: { Key?: string }[] };
}

/** The S3 requests of one command: IAM action, key (undefined for the bucket), and the bucket when not the command's. */
type S3Request = [action: string, key: string | undefined, bucket?: string];

function s3Requests(operation: string, input: S3Input): S3Request[] {
  const action = S3_ACTION_OF[operation] ?? `s3:${operation}`;
  if (operation === 'DeleteObjects') return (input.Delete?.Objects ?? []).map((o) => [action, o.Key ?? '']);
  if (input.Key === undefined) return [[action, undefined]];
  const requests: S3Request[] = [[action, input.Key]];
  // S3 authorizes a tag set sent with the upload as PutObjectTagging as well.
  if (input.Tagging && (operation === 'PutObject' || operation === 'CreateMultipartUpload' || operation === 'CopyObject')) {
    requests.push(['s3:PutObjectTagging', input.Key]);
  }
  // A copy reads its source: GetObject on it, in the source's bucket.
  if (input.CopySource !== undefined && (operation === 'CopyObject' || operation === 'UploadPartCopy')) {
    const [bucket = '', ...key] = input.CopySource.replace(/^\//, '').split('/');
    requests.push(['s3:GetObject', decodeURIComponent(key.join('/')), bucket]);
  }
  return requests;
}

function s3Allowed(grant: LocalAccessGrant, action: string, bucket: string | undefined, key: string | undefined): boolean {
  if (bucket !== grant.bucket) return false;
  if (key === undefined) return grant.bucketActions.includes(action);
  return (grant.objectActions[action] ?? []).some((p) => matchesIamPattern(p, key));
}

const commandOperation = (commandName: unknown): string => String(commandName ?? '').replace(/Command$/, '');

/** Refuses, before it is sent, any S3 request the grant does not allow, as S3 would (403 AccessDenied). */
export function enforceS3Access(client: S3Client, grant: LocalAccessGrant): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = commandOperation(context.commandName);
      const input = args.input as S3Input;
      for (const [action, key, bucket = input.Bucket] of s3Requests(operation, input)) {
        if (s3Allowed(grant, action, bucket, key)) continue;
        const resource = key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
        throw accessDenied(
          'AccessDenied',
          403,
          `Access Denied (local IAM check): function ${grant.functionName} is not authorized to perform ${action} ` +
            `(${operation}) on ${resource}; its catalog entry does not grant it`,
        );
      }
      return next(args);
    },
    { step: 'initialize', name: 'longhaulLocalAccess', override: true },
  );
}

/** Refuses DynamoDB calls the grant does not allow, as DynamoDB would (400 AccessDeniedException). */
export function enforceTableAccess(client: DynamoDBClient, grant: LocalAccessGrant): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = `dynamodb:${commandOperation(context.commandName)}`;
      if (!grant.tableActions.includes(action)) {
        const table = (args.input as { TableName?: string }).TableName ?? '(no table)';
        throw accessDenied(
          'AccessDeniedException',
          400,
          `User: ${grant.functionName} is not authorized to perform: ${action} on table ${table} (local IAM check: ` +
            `its catalog entry does not grant it)`,
        );
      }
      return next(args);
    },
    { step: 'initialize', name: 'longhaulLocalAccess', override: true },
  );
}
