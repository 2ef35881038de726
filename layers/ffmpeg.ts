// The ffmpeg layer: static ffmpeg and ffprobe from the npm installer packages, at bin/ (Lambda
// unpacks layers into /opt, and handlers/lib/ffmpeg.ts looks in /opt/bin).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXECUTABLE_MODE, type ZipEntry } from '../infra/packaging/deterministic-zip';

// Lambda runs x86_64 (infra/lambda-runtime.ts): always ship the linux-x64 builds, whatever the build host.
const BINARIES = {
  ffmpeg: 'node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
  ffprobe: 'node_modules/@ffprobe-installer/linux-x64/ffprobe',
} as const;

export function ffmpegLayerEntries(rootDir: string): ZipEntry[] {
  return Object.entries(BINARIES).map(([name, relPath]) => {
    const path = join(rootDir, relPath);
    if (!existsSync(path)) {
      throw new Error(`ffmpeg layer: ${relPath} is missing (install it with \`npm install --no-save --force ${relPath.split('/').slice(1, 3).join('/')}\` on non-linux hosts)`);
    }
    // npm installs ffprobe as 0744; Lambda runs the layer as another user, so both must be 0755.
    return { name: `bin/${name}`, source: { path }, mode: EXECUTABLE_MODE };
  });
}
