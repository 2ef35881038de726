// Bundles the runner runs, built with the deploy build's own code (infra/packaging/bundle-function.ts)
// when first needed and kept on disk between runs. Like make, a bundle is rebuilt once a file it was built
// from (the bundling code included) has another size or mtime, so `make test` and `longhaul run` need no
// build step and never run stale code.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleModule, type ModuleBundle } from '../../infra/packaging/bundle-function';

export interface BundleRequest {
  /** Module path from the root. */
  entry: string;
  external: readonly string[];
}

export interface CachedBundle {
  /** Absolute path of the bundled module in the cache. */
  file: string;
  sha256: string;
  /** False when the bundle on disk was still current. */
  built: boolean;
}

export interface BundleCache {
  /** The current bundle of `request`; rejects with esbuild's error when the module does not bundle. */
  get(request: BundleRequest): Promise<CachedBundle>;
}

export interface BundleCacheOptions {
  rootDir: string;
  cacheDir: string;
  /** Stand-in for esbuild in tests. */
  bundle?: (entry: string, rootDir: string, external: readonly string[]) => Promise<ModuleBundle>;
}

/** What a bundle was built from: every input with the size and mtime it had. */
interface Manifest {
  entry: string;
  external: string[];
  bundle: string;
  sha256: string;
  inputs: [file: string, bytes: number, mtimeMs: number][];
}

const MANIFEST = 'manifest.json';
const STALE_BUNDLE_GRACE_MS = 10 * 60_000;
const UNSETTLED_MS = 1000;
/**
 * A changed bundling recipe must rebuild everything, like a changed source: the options, the esbuild
 * version, and the tsconfig.json esbuild reads (its target and emit settings), which its metafile omits.
 */
const RECIPE_FILES = [
  fileURLToPath(new URL('../../infra/packaging/bundle-function.ts', import.meta.url)),
  createRequire(import.meta.url).resolve('esbuild/package.json'),
];
const recipeFiles = (rootDir: string) => [...RECIPE_FILES, ...[path.join(rootDir, 'tsconfig.json')].filter((f) => existsSync(f))];

export function defaultBundleCacheDir(rootDir: string): string {
  return path.join(rootDir, 'node_modules', '.cache', 'longhaul', 'bundles');
}

export function createBundleCache(opts: BundleCacheOptions): BundleCache {
  const bundle = opts.bundle ?? bundleModule;
  // One check or build per bundle at a time: twelve cold starts at once wait for the same one.
  const inFlight = new Map<string, Promise<CachedBundle>>();
  return {
    get(request) {
      const dir = path.join(opts.cacheDir, cacheName(request));
      let pending = inFlight.get(dir);
      if (!pending) {
        pending = current(opts.rootDir, dir, request, bundle).finally(() => inFlight.delete(dir));
        inFlight.set(dir, pending);
      }
      return pending;
    },
  };
}

/** `probe-1a2b3c4d5e6f`: readable, and distinct per entry and externals. */
function cacheName(request: BundleRequest): string {
  const id = createHash('sha256').update(JSON.stringify([request.entry, [...request.external].sort()])).digest('hex').slice(0, 12);
  return `${path.basename(request.entry).replace(/\.[^.]+$/, '')}-${id}`;
}

async function current(rootDir: string, dir: string, request: BundleRequest, bundle: NonNullable<BundleCacheOptions['bundle']>): Promise<CachedBundle> {
  const manifest = await readManifest(dir);
  if (manifest && stillCurrent(rootDir, manifest)) {
    const file = path.join(dir, manifest.bundle);
    // Looked up now: the grace a rebuild by another process gives it runs from here, not from its build.
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return { file, sha256: manifest.sha256, built: false };
  }

  const startedMs = Date.now();
  const built = await bundle(request.entry, rootDir, request.external);
  const sha256 = createHash('sha256').update(built.code).digest('hex');
  const files = [...built.inputs.map((f) => path.resolve(rootDir, f)), ...recipeFiles(rootDir)];
  const inputs = await Promise.all(
    files.map(async (file): Promise<Manifest['inputs'][number]> => {
      const s = await stat(file);
      // Changed while esbuild read it (file clocks are coarse: or just before), what was bundled may be
      // older than this mtime: never trusted, so the next lookup builds again.
      return [path.relative(rootDir, file), s.size, s.mtimeMs >= startedMs - UNSETTLED_MS ? -1 : s.mtimeMs];
    }),
  );
  const next: Manifest = { entry: request.entry, external: [...request.external], bundle: `index-${sha256.slice(0, 16)}.mjs`, sha256, inputs };
  await mkdir(dir, { recursive: true });
  // Bundle first, manifest last, each renamed into place: a reader never sees a manifest without its bundle,
  // and two processes building at once write the same bytes.
  await writeAtomically(path.join(dir, next.bundle), built.code);
  await writeAtomically(path.join(dir, MANIFEST), JSON.stringify(next));
  await removeOtherBundles(dir, next.bundle);
  return { file: path.join(dir, next.bundle), sha256, built: true };
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    await stat(path.join(dir, manifest.bundle));
    return manifest;
  } catch {
    return undefined;
  }
}

/** Synchronous: ~750 stats of a bundle with the AWS SDK take a few ms this way, several times that as promises. */
function stillCurrent(rootDir: string, manifest: Manifest): boolean {
  return manifest.inputs.every(([file, bytes, mtimeMs]) => {
    const s = statSync(path.resolve(rootDir, file), { throwIfNoEntry: false });
    return s !== undefined && s.size === bytes && s.mtimeMs === mtimeMs;
  });
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Earlier builds of the same module, once not looked up for a while (a lookup touches its bundle): no
 * runtime still starting a worker from one, which another process may have looked up a moment ago, loses it.
 */
async function removeOtherBundles(dir: string, keep: string): Promise<void> {
  const cutoff = Date.now() - STALE_BUNDLE_GRACE_MS;
  for (const name of await readdir(dir)) {
    if (name === keep || !/^index-[0-9a-f]+\.mjs$/.test(name)) continue;
    const file = path.join(dir, name);
    const s = await stat(file).catch(() => undefined);
    if (s && s.mtimeMs < cutoff) await rm(file, { force: true });
  }
}
