// Zips that depend only on their contents: sorted entries, one fixed timestamp, explicit modes. Same
// inputs give the same bytes, so `terraform plan` sees no change when the code did not change.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { sha256File } from '../../handlers/lib/file-hash';

/** DOS timestamps start in 1980; built in local time because yazl converts with local-time getters. */
export const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
// Regular-file type bits included, as zip tools expect from Unix archives.
export const FILE_MODE = 0o100644;
export const EXECUTABLE_MODE = 0o100755;

export interface ZipEntry {
  /** Path inside the zip, `/`-separated. */
  name: string;
  /** A file on disk, streamed (layers hold 70 MB binaries), or bytes in memory. */
  source: { path: string } | { data: Uint8Array };
  mode: number;
}

export interface ZipResult {
  path: string;
  bytes: number;
  sha256: string;
  /** False when an identical zip was already there (its mtime is kept, so make sees nothing new). */
  changed: boolean;
}

export async function writeDeterministicZip(entries: readonly ZipEntry[], outPath: string): Promise<ZipResult> {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 0; i < sorted.length; i++) {
    const { name } = sorted[i];
    if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
      throw new Error(`Zip entry "${name}" for ${outPath} must be a relative /-separated path`);
    }
    if (i > 0 && sorted[i - 1].name === name) throw new Error(`Zip entry "${name}" appears twice in ${outPath}`);
  }

  // Written beside the target and renamed into place: a crash never leaves a partial zip a later
  // build (or terraform) would trust. The folder exists before any stream starts, so no await
  // separates the streams from the pipeline that handles their errors.
  await mkdir(dirname(outPath), { recursive: true });
  const zip = new ZipFile();
  for (const entry of sorted) {
    const options = { mtime: FIXED_MTIME, mode: entry.mode, forceDosTimestamp: true, compress: true };
    if ('path' in entry.source) {
      const stream = createReadStream(entry.source.path);
      // yazl does not forward source errors: fail the whole zip instead of hanging or crashing.
      stream.on('error', (error) => (zip.outputStream as Readable).destroy(error));
      zip.addReadStream(stream, entry.name, options);
    } else {
      zip.addBuffer(Buffer.from(entry.source.data), entry.name, options);
    }
  }
  zip.end();

  const tmpPath = `${outPath}.tmp-${process.pid}`;
  const hash = createHash('sha256');
  let bytes = 0;
  zip.outputStream.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  const out = createWriteStream(tmpPath);
  try {
    await pipeline(zip.outputStream, out);
  } catch (error) {
    // The file is opened asynchronously and may appear after the pipeline has failed: remove it once closed.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    await rm(tmpPath, { force: true });
    throw error;
  }
  const sha256 = hash.digest('hex');

  if (await sameSha256(outPath, bytes, sha256)) {
    await rm(tmpPath, { force: true });
    return { path: outPath, bytes, sha256, changed: false };
  }
  await rename(tmpPath, outPath);
  return { path: outPath, bytes, sha256, changed: true };
}

async function sameSha256(path: string, bytes: number, sha256: string): Promise<boolean> {
  try {
    if ((await stat(path)).size !== bytes) return false;
  } catch {
    return false;
  }
  return (await sha256File(path)) === sha256;
}
