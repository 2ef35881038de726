// `make layers`: dist/layers/ffmpeg.zip and dist/layers/tfjs.zip (or only the layers named as arguments).
import { join, resolve } from 'node:path';
import type { LayerName } from '../handlers/catalog-types';
import { layerZipPath } from '../infra/artifacts';
import { writeDeterministicZip, type ZipEntry } from '../infra/packaging/deterministic-zip';
import { mb } from '../infra/packaging/size-check';
import { unzippedBytes } from '../infra/packaging/zip-contents';
import { ffmpegLayerEntries } from '../layers/ffmpeg';
import { tfjsLayerEntries, verifyTfjsLayer } from '../layers/tfjs';

const root = resolve(import.meta.dirname, '..');
const RECIPES: Record<LayerName, { entries: () => Promise<ZipEntry[]>; verify?: (zip: string) => Promise<unknown> }> = {
  ffmpeg: { entries: async () => ffmpegLayerEntries(root) },
  tfjs: { entries: () => tfjsLayerEntries(root), verify: verifyTfjsLayer },
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(name in RECIPES));
  if (unknown.length > 0) throw new Error(`unknown layer(s) ${unknown.join(', ')}; known: ${Object.keys(RECIPES).join(', ')}`);
  const names = (requested.length > 0 ? requested : Object.keys(RECIPES)) as LayerName[];
  for (const name of names) {
    const started = Date.now();
    const recipe = RECIPES[name];
    const entries = await recipe.entries();
    const zip = await writeDeterministicZip(entries, layerZipPath(join(root, 'dist'), name));
    if (recipe.verify) await recipe.verify(zip.path);
    const unzipped = await unzippedBytes(zip.path);
    console.log(
      `${zip.changed ? 'built    ' : 'unchanged'} layer ${name.padEnd(7)} ${entries.length} files, zip ${mb(zip.bytes)}, unzipped ${mb(unzipped)}` +
        `${recipe.verify ? ', verified' : ''} (${Date.now() - started} ms)`,
    );
  }
}

main().catch((error: Error) => {
  console.error(`make layers: ${error.message}`);
  process.exit(1);
});
