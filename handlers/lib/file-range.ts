// Bytes of a local file by offset, read without holding the file: the local-file twin of an S3 ranged GET.
import { open } from 'node:fs/promises';

/** Bytes `start..endInclusive` of the file (fewer at its end). */
export async function readFileRange(path: string, start: number, endInclusive: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const bytes = Buffer.alloc(endInclusive - start + 1);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
