// Where ffmpeg and ffprobe live: $FFMPEG_PATH/$FFPROBE_PATH, else /opt/bin (the Lambda layer),
// else the npm packages (local development and tests).
import { access, constants } from 'node:fs/promises';

export type Binary = 'ffmpeg' | 'ffprobe';

export const ENV_OVERRIDE: Record<Binary, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };
// The ffmpeg Lambda layer unpacks its binaries here.
const LAYER_DIR = '/opt/bin';
// Held in variables so bundlers leave these (70 MB of binaries) out of the Lambda zip: in Lambda the layer provides them.
const NPM_PACKAGE: Record<Binary, string> = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };

// Keyed by the override too: a test or the local runner may point FFMPEG_PATH elsewhere later.
const resolved = new Map<string, Promise<string>>();

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function locate(binary: Binary, override: string | undefined): Promise<string> {
  if (override) {
    if (!(await isExecutable(override))) throw new Error(`${ENV_OVERRIDE[binary]}=${override} is not an executable file`);
    return override;
  }
  const inLayer = `${LAYER_DIR}/${binary}`;
  if (await isExecutable(inLayer)) return inLayer;
  const pkgName = NPM_PACKAGE[binary];
  try {
    const pkg = (await import(pkgName)) as { path?: string; default?: { path?: string } };
    const path = pkg.path ?? pkg.default?.path;
    if (path) return path;
  } catch (err) {
    throw new Error(`Cannot find ${binary}: not in ${LAYER_DIR}, ${ENV_OVERRIDE[binary]} unset, and ${pkgName} failed to load: ${String(err)}`);
  }
  throw new Error(`Cannot find ${binary}: ${pkgName} reports no path`);
}

/** Absolute path of the binary: $FFMPEG_PATH/$FFPROBE_PATH, else /opt/bin (Lambda layer), else the npm package. */
export function binaryPath(binary: Binary): Promise<string> {
  const override = process.env[ENV_OVERRIDE[binary]]?.trim() || undefined;
  const cacheKey = `${binary}|${override ?? ''}`;
  let p = resolved.get(cacheKey);
  if (!p) {
    p = locate(binary, override);
    // A failed lookup is not cached: the file may be put in place before the next call.
    p.catch(() => resolved.delete(cacheKey));
    resolved.set(cacheKey, p);
  }
  return p;
}
