// S3 access for handlers: streams in and out (never whole files in memory), ranged reads, JSON,
// listing. Every function works on the job bucket from the environment unless told otherwise.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { readBucket, readRegion } from './config';
import { InputNotFound, InvalidInput, isNotFound } from './errors';
import { cachedClient } from './client-cache';
import { enforceS3Access, readLocalAccess } from './local-access';
import { countS3Requests } from './request-counts';
import { ENV, WORK_RETENTION_TAG, isWorkKey } from './storage-layout';
import { withTransient } from './transient';

export interface BucketOption {
  /** Defaults to the job bucket from the environment (LONGHAUL_BUCKET). */
  bucket?: string;
}

export interface PutOptions extends BucketOption {
  contentType?: string;
}

/** Reads of one version only: S3 answers 412 PreconditionFailed once the object at the key has changed. */
export interface ReadOptions extends BucketOption {
  ifMatch?: string;
}

export interface ObjectInfo {
  size: number;
  etag?: string;
  lastModified?: Date;
}

/** The shared S3 client for the current environment. */
export const s3Client = cachedClient(ENV.s3Endpoint, (endpoint) => {
  const client = new S3Client({
    region: readRegion(),
    endpoint,
    // A custom endpoint (the local s3rver) has no per-bucket DNS names.
    forcePathStyle: endpoint !== undefined,
    // The SDK's default flexible checksums send aws-chunked bodies, which s3rver stores verbatim:
    // uploads would be silently corrupted. S3 itself does not need them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const grant = readLocalAccess();
  if (grant) enforceS3Access(client, grant);
  countS3Requests(client);
  return client;
});

function bucketOf(opts?: BucketOption): string {
  return opts?.bucket ?? readBucket();
}

export async function head(key: string, opts?: BucketOption): Promise<ObjectInfo | undefined> {
  try {
    const out = await withTransient(`HeadObject ${key}`, () => s3Client().send(new HeadObjectCommand({ Bucket: bucketOf(opts), Key: key })));
    return { size: out.ContentLength ?? 0, etag: out.ETag, lastModified: out.LastModified };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function exists(key: string, opts?: BucketOption): Promise<boolean> {
  return (await head(key, opts)) !== undefined;
}

async function getObject(key: string, opts: ReadOptions | undefined, range?: string): Promise<GetObjectCommandOutput> {
  const bucket = bucketOf(opts);
  try {
    return await withTransient(`GetObject ${key}`, () =>
      s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range, IfMatch: opts?.ifMatch })),
    );
  } catch (err) {
    // A wrong bucket is a configuration problem, not a missing input: keep it a plain Error.
    if ((err as { name?: string }).name === 'NoSuchBucket') {
      throw new Error(`Bucket ${bucket} does not exist (reading ${key}; check ${ENV.bucket})`, { cause: err });
    }
    if (isNotFound(err)) throw new InputNotFound(`Object not found: s3://${bucket}/${key}`, { key, bucket }, { cause: err });
    throw err;
  }
}

function bodyStream(out: GetObjectCommandOutput): Readable {
  const body = out.Body;
  if (body instanceof Readable) return body;
  throw new Error('S3 returned a body that is not a Node.js stream');
}

/** The object's bytes as a stream; InputNotFound naming the key when it does not exist. */
export async function getStream(key: string, opts?: BucketOption): Promise<Readable> {
  return bodyStream(await getObject(key, opts));
}

/**
 * Bytes `start..endInclusive` as a stream (for ranges too large to hold: a CSV partition). The caller
 * checks the length it received: s3rver answers `bytes=0-0` with the whole object.
 */
export async function getRangeStream(key: string, start: number, endInclusive: number, opts?: BucketOption): Promise<Readable> {
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(endInclusive) || endInclusive < start) {
    throw new InvalidInput(`Invalid range ${start}-${endInclusive} for ${key}`, { key, start, endInclusive });
  }
  return bodyStream(await getObject(key, opts, `bytes=${start}-${endInclusive}`));
}

/** Bytes `start..endInclusive` (HTTP Range semantics; the end is clamped to the object's size by S3). */
export async function getRange(key: string, start: number, endInclusive: number, opts?: ReadOptions): Promise<Buffer> {
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new InvalidInput(`Invalid range start ${start} for ${key}: must be a non-negative integer`, { key, start });
  }
  if (!Number.isSafeInteger(endInclusive) || endInclusive < start) {
    throw new InvalidInput(`Invalid range end ${endInclusive} for ${key}: must be an integer >= start ${start}`, {
      key,
      start,
      endInclusive,
    });
  }
  let out: GetObjectCommandOutput;
  try {
    out = await getObject(key, opts, `bytes=${start}-${endInclusive}`);
  } catch (err) {
    if ((err as { name?: string }).name === 'InvalidRange') {
      throw new InvalidInput(`Range ${start}-${endInclusive} is outside ${key}`, { key, start, endInclusive }, { cause: err });
    }
    throw err;
  }
  const chunks: Buffer[] = [];
  await withTransient(`GetObject ${key} (reading the body)`, async () => {
    for await (const chunk of bodyStream(out)) chunks.push(chunk as Buffer);
  });
  // s3rver ignores a range ending at byte 0 (it reads `end || Infinity`) and sends everything
  // from `start`; S3 never sends more than asked, so trimming is a no-op there.
  const body = Buffer.concat(chunks);
  return body.subarray(0, endInclusive - start + 1);
}

function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
}

/**
 * Streams the object to `path` and returns its size. The file appears only when complete
 * (written aside, then renamed), so a crash never leaves a truncated file a retry would trust.
 */
export async function downloadToFile(key: string, path: string, opts?: BucketOption): Promise<number> {
  const stream = await getStream(key, opts);
  const temp = tempSibling(path);
  try {
    await withTransient(`GetObject ${key} (downloading to ${path})`, () => pipeline(stream, createWriteStream(temp)));
    const { size } = await stat(temp);
    await rename(temp, path);
    return size;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Uploads a stream of unknown length (multipart above 5 MiB). S3 makes the object visible only
 * when the upload completes; on failure the multipart upload is aborted, so no partial object exists.
 */
export async function putStream(key: string, body: Readable, opts?: PutOptions): Promise<{ etag?: string }> {
  const upload = new Upload({
    client: s3Client(),
    // Tagging rides on the PutObject or CreateMultipartUpload itself (lib-storage's `tags` option
    // would tag in a second call after completion, leaving an untagged object if that call fails).
    params: { Bucket: bucketOf(opts), Key: key, Body: body, ContentType: opts?.contentType, Tagging: workTagging(key) },
    queueSize: 4,
    partSize: 8 * 1024 * 1024,
    leavePartsOnError: false,
  });
  const done = await withTransient(`Upload ${key}`, () => upload.done());
  return { etag: done.ETag };
}

/** Uploads a local file; the ETag S3 gave the object comes back (to pin a later copy to this version). */
export async function uploadFile(path: string, key: string, opts?: PutOptions): Promise<{ etag?: string }> {
  return putStream(key, createReadStream(path), opts);
}

/** The tag set (URL-encoded, as S3's x-amz-tagging takes it) that lets the lifecycle rule expire work/ objects. */
export function workTagging(key: string): string | undefined {
  return isWorkKey(key) ? `${WORK_RETENTION_TAG.key}=${WORK_RETENTION_TAG.value}` : undefined;
}

export async function putBuffer(key: string, body: Buffer | Uint8Array | string, opts?: PutOptions): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  await withTransient(`PutObject ${key}`, () =>
    s3Client().send(
      new PutObjectCommand({
        Bucket: bucketOf(opts),
        Key: key,
        Body: bytes,
        ContentLength: bytes.byteLength,
        ContentType: opts?.contentType,
        Tagging: workTagging(key),
      }),
    ),
  );
}

export async function getText(key: string, opts?: BucketOption): Promise<string> {
  const out = await getObject(key, opts);
  if (!out.Body) return '';
  const body = out.Body;
  return withTransient(`GetObject ${key} (reading the body)`, () => body.transformToString('utf8'));
}

/** Parses the object as JSON; InvalidInput naming the key when it is not JSON. No shape check: callers validate. */
export async function getJson<T>(key: string, opts?: BucketOption): Promise<T> {
  const text = await getText(key, opts);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new InvalidInput(`Object ${key} is not valid JSON: ${(err as Error).message}`, { key }, { cause: err });
  }
}

export async function putJson(key: string, value: unknown, opts?: BucketOption): Promise<void> {
  const text = JSON.stringify(value);
  if (text === undefined) throw new InvalidInput(`Cannot store ${typeof value} as JSON at ${key}`, { key });
  await putBuffer(key, text, { ...opts, contentType: 'application/json' });
}

/** Every key under `prefix`, across all pages, in S3's (lexicographic) order. */
export async function listKeys(prefix: string, opts?: BucketOption & { pageSize?: number }): Promise<string[]> {
  const bucket = bucketOf(opts);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await withTransient(`ListObjectsV2 ${prefix}`, () =>
      s3Client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: opts?.pageSize })),
    );
    for (const item of out.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

const DELETE_BATCH = 1000; // DeleteObjects' per-request limit

/** Deletes the keys (missing ones are fine); throws naming the first key S3 refused to delete. */
export async function deleteKeys(keys: readonly string[], opts?: BucketOption): Promise<void> {
  const bucket = bucketOf(opts);
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    const out = await withTransient(`DeleteObjects ${batch[0]} (+${batch.length - 1} more)`, () =>
      s3Client().send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      ),
    );
    const failed = out.Errors?.[0];
    if (failed) {
      throw new Error(`Could not delete ${failed.Key} from ${bucket}: ${failed.Code} ${failed.Message}`);
    }
  }
}
