// Bundles and zips every function of a catalog into <distDir>/functions/<Name>.zip.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { functionZipPath } from '../artifacts';
import { bundleFunction, functionZipEntries } from './bundle-function';
import { writeDeterministicZip, type ZipResult } from './deterministic-zip';

export interface BuiltFunction extends ZipResult {
  name: string;
}

export async function buildFunctionZips(catalog: readonly FunctionSpec[], rootDir: string, distDir: string): Promise<BuiltFunction[]> {
  const built = await Promise.all(
    catalog.map(async (spec) => {
      const bundle = await bundleFunction(spec, rootDir);
      return { name: spec.name, ...(await writeDeterministicZip(functionZipEntries(bundle), functionZipPath(distDir, spec.name))) };
    }),
  );
  // A zip left from a function removed from the catalog would be deployed by nobody but confuse everyone.
  const functionsDir = join(distDir, 'functions');
  const wanted = new Set(catalog.map((s) => `${s.name}.zip`));
  if (existsSync(functionsDir)) {
    for (const name of readdirSync(functionsDir)) if (!wanted.has(name)) rmSync(join(functionsDir, name), { force: true });
  }
  return built;
}
