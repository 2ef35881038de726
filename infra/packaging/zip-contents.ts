// Reads a zip's central directory (names, sizes, modes) without extracting it: enough for the
// unzipped-size check and for tests that inspect what a build produced.
import { open } from 'node:fs/promises';

export interface ZipEntryInfo {
  name: string;
  compressedBytes: number;
  uncompressedBytes: number;
  /** Unix mode bits (file type and permissions) from the external attributes. */
  mode: number;
  dosDate: number;
  dosTime: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_MIN = 22;
const MAX_COMMENT = 0xffff;

export async function readZipEntries(path: string): Promise<ZipEntryInfo[]> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const tailLength = Math.min(size, EOCD_MIN + MAX_COMMENT);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - EOCD_MIN; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${path}: not a zip file (no end-of-central-directory record)`);
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw new Error(`${path}: zip64 archives are not supported here`);

    const cd = Buffer.alloc(cdSize);
    await file.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntryInfo[] = [];
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (cd.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error(`${path}: corrupt central directory at entry ${n}`);
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      entries.push({
        name: cd.toString('utf8', at + 46, at + 46 + nameLength),
        dosTime: cd.readUInt16LE(at + 12),
        dosDate: cd.readUInt16LE(at + 14),
        compressedBytes: cd.readUInt32LE(at + 20),
        uncompressedBytes: cd.readUInt32LE(at + 24),
        mode: cd.readUInt32LE(at + 38) >>> 16,
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await file.close();
  }
}

export async function unzippedBytes(path: string): Promise<number> {
  return (await readZipEntries(path)).reduce((sum, e) => sum + e.uncompressedBytes, 0);
}
