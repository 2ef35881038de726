// `make build`: bundle every catalog function and zip it deterministically to dist/functions/<Name>.zip.
import { join, resolve } from 'node:path';
import { catalog } from '../handlers/catalog';
import { buildFunctionZips } from '../infra/packaging/build-functions';
import { mb } from '../infra/packaging/size-check';

const root = resolve(import.meta.dirname, '..');

async function main(): Promise<void> {
  const started = Date.now();
  const results = await buildFunctionZips(catalog, root, join(root, 'dist'));
  for (const r of results) console.log(`${r.changed ? 'built    ' : 'unchanged'} ${r.name.padEnd(24)} ${mb(r.bytes).padEnd(32)} sha256 ${r.sha256.slice(0, 16)}`);
  console.log(`${results.length} function zip(s) in dist/functions (${Date.now() - started} ms)`);
}

main().catch((error: Error) => {
  console.error(`make build: ${error.message}`);
  process.exit(1);
});
