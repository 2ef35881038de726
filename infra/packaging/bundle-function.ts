// Bundles one catalog handler into a single `index.mjs` with esbuild, AWS SDK v3 included: the code
// then runs in Lambda with exactly the SDK versions the tests ran against, not whatever the runtime ships.
// The local Lambda runner runs these same bytes (local/lambda/bundle-cache.ts), and bundles its own
// worker bootstrap with the same settings, so there is one esbuild configuration in the project.
import { relative, resolve } from 'node:path';
import { build } from 'esbuild';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { FILE_MODE, type ZipEntry } from './deterministic-zip';

export const BUNDLE_FILE = 'index.mjs';
export const BUNDLE_TARGET = 'node20';

/** Provided at run time by layers (tfjs) or never loaded in Lambda (the npm ffmpeg fallback; /opt/bin wins). */
export function externalPackages(spec: Pick<FunctionSpec, 'layers'>): string[] {
  const external = ['@ffmpeg-installer/*', '@ffprobe-installer/*'];
  if (spec.layers.includes('tfjs')) external.push('@tensorflow/*');
  return external;
}

// CommonJS dependencies bundled into ESM still call require() for node built-ins.
const REQUIRE_SHIM = "import { createRequire as __longhaulCreateRequire } from 'node:module';\nconst require = __longhaulCreateRequire(import.meta.url);";

export interface ModuleBundle {
  code: Uint8Array;
  /** Every file esbuild read, relative to the root: the bundle is stale once one of them changes. */
  inputs: string[];
}

/** One ES module with everything it imports but `external`, as Lambda's zip carries it. */
export async function bundleModule(entry: string, rootDir: string, external: readonly string[]): Promise<ModuleBundle> {
  const result = await build({
    entryPoints: [resolve(rootDir, entry)],
    absWorkingDir: rootDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    outfile: BUNDLE_FILE,
    write: false,
    external: [...external],
    banner: { js: REQUIRE_SHIM },
    // Paths and comments would make the bundle depend on where it was built.
    legalComments: 'none',
    sourcemap: false,
    minifySyntax: true,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles.find((f) => f.path.endsWith(BUNDLE_FILE));
  if (!output) throw new Error(`esbuild produced no ${BUNDLE_FILE} for ${entry}`);
  // Metafile paths are relative to absWorkingDir; virtual inputs (`<define:...>`, `(disabled):...`) are no files.
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.startsWith('<') && !p.includes(':'))
    .map((p) => relative(rootDir, resolve(rootDir, p)));
  return { code: output.contents, inputs };
}

export async function bundleFunctionModule(spec: FunctionSpec, rootDir: string): Promise<ModuleBundle> {
  return bundleModule(spec.entry, rootDir, externalPackages(spec)).catch((error: Error) => {
    throw new Error(`esbuild failed for ${spec.name} (${spec.entry}): ${error.message}`);
  });
}

export async function bundleFunction(spec: FunctionSpec, rootDir: string): Promise<Uint8Array> {
  return (await bundleFunctionModule(spec, rootDir)).code;
}

export function functionZipEntries(bundle: Uint8Array): ZipEntry[] {
  return [{ name: BUNDLE_FILE, source: { data: bundle }, mode: FILE_MODE }];
}
