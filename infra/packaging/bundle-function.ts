// Bundles one catalog handler into a single `index.mjs` with esbuild, AWS SDK v3 included: the code
// then runs in Lambda with exactly the SDK versions the tests ran against, not whatever the runtime ships.
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { FILE_MODE, type ZipEntry } from './deterministic-zip';

export const BUNDLE_FILE = 'index.mjs';
export const BUNDLE_TARGET = 'node20';

/** Provided at run time by layers (tfjs) or never loaded in Lambda (the npm ffmpeg fallback; /opt/bin wins). */
export function externalPackages(spec: FunctionSpec): string[] {
  const external = ['@ffmpeg-installer/*', '@ffprobe-installer/*'];
  if (spec.layers.includes('tfjs')) external.push('@tensorflow/*');
  return external;
}

// CommonJS dependencies bundled into ESM still call require() for node built-ins.
const REQUIRE_SHIM = "import { createRequire as __longhaulCreateRequire } from 'node:module';\nconst require = __longhaulCreateRequire(import.meta.url);";

export async function bundleFunction(spec: FunctionSpec, rootDir: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [resolve(rootDir, spec.entry)],
    absWorkingDir: rootDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    outfile: BUNDLE_FILE,
    write: false,
    external: externalPackages(spec),
    banner: { js: REQUIRE_SHIM },
    // Paths and comments would make the bundle depend on where it was built.
    legalComments: 'none',
    sourcemap: false,
    minifySyntax: true,
    logLevel: 'silent',
  }).catch((error: Error) => {
    throw new Error(`esbuild failed for ${spec.name} (${spec.entry}): ${error.message}`);
  });
  const output = result.outputFiles.find((f) => f.path.endsWith(BUNDLE_FILE));
  if (!output) throw new Error(`esbuild produced no ${BUNDLE_FILE} for ${spec.name}`);
  return output.contents;
}

export function functionZipEntries(bundle: Uint8Array): ZipEntry[] {
  return [{ name: BUNDLE_FILE, source: { data: bundle }, mode: FILE_MODE }];
}
