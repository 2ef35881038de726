// s3rver 3.7 writes an object straight into its final file: a PUT whose client dies mid-body leaves a
// truncated object that GET and HEAD return, and a failed overwrite clobbers the old object. S3 makes
// an object visible only once its upload completes, and idempotency checks (a marker's HEAD) rely on
// that. This shim makes the filesystem store write to a temporary sibling and rename it into place
// only when the body arrived whole; on abort, error or early close the temporary file is removed.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, unknown>;
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  putPart(bucket: string, uploadId: string, partNumber: number | string, content: Readable): Promise<{ size: number; md5: string }>;
}

/** Suffix of in-flight files: never the `._S3rver_object` suffix s3rver lists and reads. */
export const PARTIAL_SUFFIX = '.partial';

let installed = false;

/** Writes `content` to `target` through a temporary sibling; `target` changes only on success. */
async function writeAtomically(target: string, content: Buffer | Readable): Promise<{ size: number; md5: string }> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${randomBytes(6).toString('hex')}${PARTIAL_SUFFIX}`;
  const md5 = createHash('md5');
  let size = 0;
  try {
    if (Buffer.isBuffer(content)) {
      await writeFile(temp, content);
      md5.update(content);
      size = content.length;
    } else {
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          md5.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        },
      });
      // pipeline rejects when the request is aborted or closes before its end (a dead client).
      await pipeline(content, measure, createWriteStream(temp));
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return { size, md5: md5.digest('hex') };
}

export function installS3rverAtomicPutShim(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const Store = require('s3rver/lib/stores/filesystem') as { prototype: FilesystemStore };
  Store.prototype.putObject = async function putObject(this: FilesystemStore, object: StoredObject) {
    const result = await writeAtomically(this.getResourcePath(object.bucket, object.key, 'object'), object.content);
    await this.putMetadata(object.bucket, object.key, object.metadata, result.md5);
    return result;
  };
  // A part cut short must not stand in for the part a retry is about to send.
  Store.prototype.putPart = async function putPart(this: FilesystemStore, bucket, uploadId, partNumber, content) {
    const partPath = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    const result = await writeAtomically(partPath, content);
    await writeFile(`${partPath}.md5`, result.md5);
    return result;
  };
}
