// Moving many files between S3 and /tmp, a bounded number at a time.
import { forEachLimit } from './for-each-limit';
import { downloadToFile, uploadFile } from './s3';

export const TRANSFER_CONCURRENCY = 8;

export async function downloadAll(pairs: readonly { key: string; path: string }[]): Promise<void> {
  await forEachLimit(pairs, TRANSFER_CONCURRENCY, async ({ key, path }) => {
    await downloadToFile(key, path);
  });
}

export async function uploadAll(pairs: readonly { path: string; key: string; contentType?: string }[]): Promise<void> {
  await forEachLimit(pairs, TRANSFER_CONCURRENCY, async ({ path, key, contentType }) => {
    await uploadFile(path, key, { contentType });
  });
}
