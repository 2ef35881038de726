// Moving many files between S3 and /tmp with bounded parallelism: one stream at a time leaves
// Lambda's network idle, hundreds at once exhaust sockets and memory.
import { downloadToFile, uploadFile } from '../lib/s3';

export const TRANSFER_CONCURRENCY = 8;

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first failure. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

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
