// What a worker of a function is started from. By default, what deploys: the function's esbuild bundle
// (the `index.mjs` of its zip) in a task directory of its own, run by Lambda's Node major, with the
// function's layers in an /opt of its own. With `source`, the TypeScript sources through tsx, for
// development (stack traces point at .ts lines; nothing is bundled), on the same node and layers.
import { copyFile, link, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { BUNDLE_FILE, externalPackages } from '../../infra/packaging/bundle-function';
import { LAMBDA_HANDLER } from '../../infra/lambda-runtime';
import { createBundleCache, type CachedBundle } from './bundle-cache';
import { lambdaNode } from './lambda-node';
import { createLayerDir, layerSetName, type LayerDir } from './layer-dir';

export type CodeMode = 'bundle' | 'source';

/** Everything about a function's code that a worker process is started with. */
export interface FunctionCodeLocation {
  mode: CodeMode;
  /** The node executable. */
  node: string;
  /** Node options before the bootstrap (Lambda's, and tsx's loader for sources). */
  execArgv: string[];
  /** The worker's own program (local/lambda/worker-main), bundled or as source. */
  bootstrap: string;
  /** LAMBDA_TASK_ROOT, and the worker's working directory (Lambda's is /var/task). */
  taskRoot: string;
  /** The module the worker imports for the handler. */
  handlerModule: string;
  /** Lambda's handler setting (`index.handler`), as its errors name it. */
  handler: string;
  layers: LayerDir;
}

export type LocateResult = { ok: true; location: FunctionCodeLocation } | { ok: false; message: string };

export interface FunctionCode {
  /** Builds (or finds current) what the function runs; `message` says why it cannot run. */
  locate(spec: FunctionSpec): Promise<LocateResult>;
}

export interface FunctionCodeOptions {
  mode: CodeMode;
  repoRoot: string;
  /** The runtime's own directory: task directories and /opt equivalents go under it, outside the repo. */
  workDir: string;
  bundleCacheDir: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER_MAIN_SOURCE = path.join(here, 'worker-main.ts');

/**
 * Flags Lambda's nodejs22.x runtime applies (AWS: "Building Lambda functions with Node.js"): no require()
 * of ES modules and no guessing of a module's type, both on by default in upstream Node 22.
 */
export const LAMBDA_NODE_FLAGS = ['--no-experimental-require-module', '--no-experimental-detect-module'];

export function createFunctionCode(opts: FunctionCodeOptions): FunctionCode {
  const node = lambdaNode().path;
  const cache = createBundleCache({ rootDir: opts.repoRoot, cacheDir: opts.bundleCacheDir });
  const layerDirs = new Map<string, Promise<LayerDir>>();
  const taskDirs = new Map<string, Promise<string>>();

  const layersOf = (spec: FunctionSpec): Promise<LayerDir> => {
    const name = layerSetName(spec.layers);
    let dir = layerDirs.get(name);
    if (!dir) {
      dir = createLayerDir(spec.layers, opts.repoRoot, path.join(opts.workDir, 'opt'));
      layerDirs.set(name, dir);
    }
    return dir;
  };

  // One task directory per bundle: functions with the same code share it, a rebuilt bundle gets a new one.
  const taskDirOf = (bundle: CachedBundle): Promise<string> => {
    let dir = taskDirs.get(bundle.sha256);
    if (!dir) {
      dir = placeBundle(bundle.file, path.join(opts.workDir, 'task', bundle.sha256.slice(0, 16)));
      taskDirs.set(bundle.sha256, dir);
      dir.catch(() => taskDirs.delete(bundle.sha256));
    }
    return dir;
  };

  const locateBundle = async (spec: FunctionSpec, layers: LayerDir): Promise<FunctionCodeLocation> => {
    const [code, bootstrap] = await Promise.all([
      cache.get({ entry: spec.entry, external: externalPackages(spec) }),
      cache.get({ entry: path.relative(opts.repoRoot, WORKER_MAIN_SOURCE), external: [] }),
    ]);
    const taskRoot = await taskDirOf(code);
    return {
      mode: 'bundle',
      node,
      execArgv: LAMBDA_NODE_FLAGS,
      bootstrap: bootstrap.file,
      taskRoot,
      handlerModule: path.join(taskRoot, BUNDLE_FILE),
      handler: LAMBDA_HANDLER,
      layers,
    };
  };

  const locateSource = (spec: FunctionSpec, layers: LayerDir): FunctionCodeLocation => ({
    mode: 'source',
    node,
    execArgv: ['--import', tsxLoader(), ...LAMBDA_NODE_FLAGS],
    bootstrap: WORKER_MAIN_SOURCE,
    taskRoot: opts.repoRoot,
    handlerModule: path.resolve(opts.repoRoot, spec.entry),
    handler: `${spec.entry}.handler`,
    layers,
  });

  return {
    async locate(spec) {
      try {
        const layers = await layersOf(spec);
        return { ok: true, location: opts.mode === 'bundle' ? await locateBundle(spec, layers) : locateSource(spec, layers) };
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
    },
  };
}

function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/**
 * The bundle alone in a directory outside the repository, as in the zip: a package it leaves out
 * (@tensorflow/*, the npm ffmpeg) must come from a layer, not from the repository's node_modules.
 */
async function placeBundle(file: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, BUNDLE_FILE);
  try {
    await link(file, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return dir;
    // Another file system (the cache in the repo, the work dir in /tmp): copy.
    if (code !== 'EXDEV' && code !== 'EPERM') throw err;
    await copyFile(file, target);
  }
  return dir;
}
