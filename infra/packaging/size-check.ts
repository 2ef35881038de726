// Lambda refuses a function whose code plus layers exceed 250 MB unzipped; we refuse it at build time.
import { existsSync } from 'node:fs';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { functionZipPath, layerZipPath } from '../artifacts';
import { UNZIPPED_LIMIT_BYTES } from '../lambda-runtime';
import { unzippedBytes } from './zip-contents';

export interface FunctionSize {
  name: string;
  functionBytes: number;
  layerBytes: Record<string, number>;
  totalBytes: number;
  withinLimit: boolean;
}

export async function measureFunctionSizes(catalog: readonly FunctionSpec[], distDir: string, limitBytes = UNZIPPED_LIMIT_BYTES): Promise<FunctionSize[]> {
  const layerCache = new Map<string, Promise<number>>();
  const sizeOf = (path: string, hint: string) => {
    if (!existsSync(path)) throw new Error(`Missing ${path}: run \`${hint}\` first`);
    let size = layerCache.get(path);
    if (!size) {
      size = unzippedBytes(path);
      layerCache.set(path, size);
    }
    return size;
  };
  const sizes: FunctionSize[] = [];
  for (const spec of catalog) {
    const functionBytes = await sizeOf(functionZipPath(distDir, spec.name), 'make build');
    const layerBytes: Record<string, number> = {};
    for (const layer of spec.layers) layerBytes[layer] = await sizeOf(layerZipPath(distDir, layer), 'make layers');
    const totalBytes = functionBytes + Object.values(layerBytes).reduce((a, b) => a + b, 0);
    sizes.push({ name: spec.name, functionBytes, layerBytes, totalBytes, withinLimit: totalBytes <= limitBytes });
  }
  return sizes;
}

/** Throws one message naming every function over the limit, with the sizes that add up to it. */
export function assertWithinLimit(sizes: readonly FunctionSize[], limitBytes = UNZIPPED_LIMIT_BYTES): void {
  const over = sizes.filter((s) => !s.withinLimit);
  if (over.length === 0) return;
  const lines = over.map((s) => {
    const parts = [`code ${mb(s.functionBytes)}`, ...Object.entries(s.layerBytes).map(([l, b]) => `layer ${l} ${mb(b)}`)];
    return `${s.name}: ${mb(s.totalBytes)} unzipped (${parts.join(' + ')}) > limit ${mb(limitBytes)}`;
  });
  throw new Error(`Lambda's unzipped size limit exceeded:\n  ${lines.join('\n  ')}`);
}

export function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB (${bytes.toLocaleString('en-US')} bytes)`;
}
