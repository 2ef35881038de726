// A function's layers as its code finds them. Lambda unpacks a function's layers into /opt; a worker here,
// without root, gets a directory laid out the same way, with each layer's files linked in from where
// `make layers` takes them, and the variables that point the code at it: PATH and NODE_PATH as Lambda
// sets them for /opt, and for the ffmpeg layer the binaries' path variables that handlers/lib reads
// before looking in /opt/bin (the one place a local process cannot write).
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { LayerName } from '../../handlers/catalog-types';
import { ENV_OVERRIDE, type Binary } from '../../handlers/lib/ffmpeg-binaries';
import { ffmpegLayerEntries } from '../../layers/ffmpeg';
import { lambdaNodeMajor } from './lambda-node';

export interface LayerDir {
  /** The function's /opt. */
  dir: string;
  /** Variables that lead the function's code (and what it spawns) to the layers. */
  env: Record<string, string>;
}

interface LayerLink {
  /** Path inside /opt. */
  name: string;
  target: string;
}

/** What each layer puts under /opt, from the files it is built from. */
const LAYER_LINKS: Record<LayerName, (rootDir: string) => LayerLink[]> = {
  // The layer's own recipe: the same files at the same paths (bin/ffmpeg, bin/ffprobe).
  ffmpeg: (rootDir) =>
    ffmpegLayerEntries(rootDir).map((entry) => {
      if (!('path' in entry.source)) throw new Error(`ffmpeg layer entry ${entry.name} is not a file`);
      return { name: entry.name, target: entry.source.path };
    }),
  // layers/tfjs.ts traces the files tfjs loads by running a workload (seconds, and checked by its own
  // tests); here its packages are linked whole. Only @tensorflow/* is left out of the bundles, so only
  // they are looked up here, and their own dependencies resolve from where the packages really are.
  tfjs: (rootDir) => [{ name: 'nodejs/node_modules/@tensorflow', target: path.join(rootDir, 'node_modules', '@tensorflow') }],
};

/** `ffmpeg+tfjs`: functions with the same layers share one directory. */
export function layerSetName(layers: readonly LayerName[]): string {
  return layers.length === 0 ? 'none' : [...new Set(layers)].sort().join('+');
}

/** Creates `<parentDir>/<layer set>` with the layers' files; call once per layer set. */
export async function createLayerDir(layers: readonly LayerName[], rootDir: string, parentDir: string): Promise<LayerDir> {
  const dir = path.join(parentDir, layerSetName(layers));
  await mkdir(dir, { recursive: true });
  const placed = new Set<string>();
  for (const layer of [...new Set(layers)].sort()) {
    for (const link of LAYER_LINKS[layer](rootDir)) {
      // Lambda merges layers in order, a later file replacing an earlier one; ours never share a path.
      if (placed.has(link.name)) throw new Error(`layers ${layers.join(', ')} both provide ${link.name}`);
      placed.add(link.name);
      const at = path.join(dir, link.name);
      await mkdir(path.dirname(at), { recursive: true });
      await symlink(link.target, at);
    }
  }
  return { dir, env: layerEnv(dir, placed) };
}

function layerEnv(dir: string, placed: ReadonlySet<string>): Record<string, string> {
  const env: Record<string, string> = {
    // Lambda's NODE_PATH starts with these; its Node runtime also searches them for ES module imports.
    NODE_PATH: [path.join(dir, 'nodejs', `node${lambdaNodeMajor()}`, 'node_modules'), path.join(dir, 'nodejs', 'node_modules')].join(path.delimiter),
  };
  for (const [binary, variable] of Object.entries(ENV_OVERRIDE) as [Binary, string][]) {
    const name = `bin/${binary}`;
    if (placed.has(name)) env[variable] = path.join(dir, name);
  }
  return env;
}

/** Lambda's PATH ends with /opt/bin; the runtime's own node comes first, as /var/lang/bin does there. */
export function lambdaPath(nodeExecutable: string, inheritedPath: string | undefined, optDir: string): string {
  return [path.dirname(nodeExecutable), ...(inheritedPath ? [inheritedPath] : []), path.join(optDir, 'bin')].join(path.delimiter);
}
