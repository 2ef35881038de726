// Server-side copies: S3 copies the bytes itself, so publishing a file already uploaded costs a request,
// not a second upload. CopyObject takes objects up to 5 GB; above that the copy is a multipart upload
// whose parts are UploadPartCopy ranges of the source.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { readBucket } from './config';
import { forEachLimit } from './for-each-limit';
import { InternalError } from './errors';
import { s3Client, workTagging } from './s3';
import { withTransient } from './transient';

/** The largest object one CopyObject may copy (S3's limit). */
export const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;
/** Parts of a multipart copy: S3 takes 5 MiB to 5 GiB each, at most 10,000 of them. */
export const COPY_PART_BYTES = 512 * 1024 ** 2;
const MAX_PARTS = 10_000;
const PART_CONCURRENCY = 4;

/** The byte ranges (inclusive) of a multipart copy of `size` bytes, each `partBytes` but the last. */
export function copyParts(size: number, partBytes = COPY_PART_BYTES): { first: number; last: number }[] {
  if (!Number.isSafeInteger(size) || size <= 0) throw new InternalError(`copyParts: size must be a positive integer, got ${size}`);
  // Large enough that no object S3 can hold (5 TB) needs more than 10,000 parts.
  const part = Math.max(partBytes, Math.ceil(size / MAX_PARTS));
  const parts: { first: number; last: number }[] = [];
  for (let first = 0; first < size; first += part) parts.push({ first, last: Math.min(size, first + part) - 1 });
  return parts;
}

/** `bucket/key` with the key URL-encoded segment by segment, as x-amz-copy-source takes it. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export interface CopyOptions {
  /** The source's size in bytes: picks CopyObject or a multipart copy. */
  size: number;
  /** Copy only this version of the source (412 PreconditionFailed if it changed). */
  sourceEtag?: string;
  /** The source's Content-Type: CopyObject keeps it by itself, a multipart copy has to be told. */
  contentType?: string;
}

/**
 * Copies `sourceKey` to `destKey` in the job bucket. The destination's tags are its own (the work/ expiry
 * tag for work/ keys, none elsewhere), never the source's: a published output must not expire with work/.
 */
export async function copyObject(sourceKey: string, destKey: string, opts: CopyOptions): Promise<void> {
  const bucket = readBucket();
  const source = copySource(bucket, sourceKey);
  const tagging = workTagging(destKey);
  if (opts.size <= COPY_OBJECT_MAX_BYTES) {
    await withTransient(`CopyObject ${sourceKey} → ${destKey}`, () =>
      s3Client().send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: destKey,
          CopySource: source,
          CopySourceIfMatch: opts.sourceEtag,
          TaggingDirective: 'REPLACE',
          Tagging: tagging,
        }),
      ),
    );
    return;
  }
  const created = await withTransient(`CreateMultipartUpload ${destKey}`, () =>
    s3Client().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: destKey, Tagging: tagging, ContentType: opts.contentType })),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new InternalError(`CreateMultipartUpload ${destKey} returned no UploadId`);
  try {
    const ranges = copyParts(opts.size);
    const etags: string[] = new Array(ranges.length);
    await forEachLimit(ranges, PART_CONCURRENCY, async ({ first, last }, i) => {
      const out = await withTransient(`UploadPartCopy ${destKey} part ${i + 1}`, () =>
        s3Client().send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: destKey,
            UploadId: uploadId,
            PartNumber: i + 1,
            CopySource: source,
            CopySourceIfMatch: opts.sourceEtag,
            CopySourceRange: `bytes=${first}-${last}`,
          }),
        ),
      );
      const etag = out.CopyPartResult?.ETag;
      if (!etag) throw new InternalError(`UploadPartCopy ${destKey} part ${i + 1} returned no ETag`);
      etags[i] = etag;
    });
    await withTransient(`CompleteMultipartUpload ${destKey}`, () =>
      s3Client().send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: destKey,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      ),
    );
  } catch (err) {
    // No half-copied object and no parts left to bill.
    await s3Client()
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: destKey, UploadId: uploadId }))
      .catch(() => undefined);
    throw err;
  }
}
