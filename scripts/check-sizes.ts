// Fails the build when a function plus its layers passes Lambda's 250 MB unzipped limit.
import { join, resolve } from 'node:path';
import { catalog } from '../handlers/catalog';
import { assertWithinLimit, mb, measureFunctionSizes } from '../infra/packaging/size-check';

const root = resolve(import.meta.dirname, '..');

measureFunctionSizes(catalog, join(root, 'dist'))
  .then((sizes) => {
    for (const s of sizes) console.log(`${s.withinLimit ? 'ok  ' : 'OVER'} ${s.name.padEnd(24)} ${mb(s.totalBytes)} unzipped with layers`);
    assertWithinLimit(sizes);
  })
  .catch((error: Error) => {
    console.error(`size check: ${error.message}`);
    process.exit(1);
  });
