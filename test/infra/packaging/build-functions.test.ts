import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { catalog } from '../../../handlers/catalog';
import { functionZipPath } from '../../../infra/artifacts';
import { buildFunctionZips } from '../../../infra/packaging/build-functions';
import { bundleFunction, bundleFunctionModule } from '../../../infra/packaging/bundle-function';
import { readZipEntries } from '../../../infra/packaging/zip-contents';
import { fixtureCatalog } from '../fixtures/catalog';

const root = resolve(import.meta.dirname, '..', '..', '..');

describe('infra/packaging/build-functions', () => {
  let dist: string;
  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'longhaul-build-'));
  });
  afterEach(() => rmSync(dist, { recursive: true, force: true }));

  it('builds the project catalog twice into byte-identical zips', async () => {
    const first = await buildFunctionZips(catalog, root, dist);
    const bytes = catalog.map((spec) => readFileSync(functionZipPath(dist, spec.name)));
    const second = await buildFunctionZips(catalog, root, dist);
    expect(second.map((r) => r.sha256)).to.deep.equal(first.map((r) => r.sha256));
    expect(second.every((r) => !r.changed)).to.equal(true);
    catalog.forEach((spec, i) => expect(readFileSync(functionZipPath(dist, spec.name)).equals(bytes[i]), spec.name).to.equal(true));
  });

  it('zips one index.mjs per function and removes zips of functions no longer in the catalog', async () => {
    await buildFunctionZips(fixtureCatalog, root, dist);
    writeFileSync(functionZipPath(dist, 'Removed'), 'old');
    await buildFunctionZips(fixtureCatalog.slice(0, 1), root, dist);
    const entries = await readZipEntries(functionZipPath(dist, 'FixtureProbe'));
    expect(entries.map((e) => [e.name, (e.mode & 0o777).toString(8)])).to.deep.equal([['index.mjs', '644']]);
    expect(readdirSync(join(dist, 'functions'))).to.deep.equal(['FixtureProbe.zip']);
  });

  it('bundles the AWS SDK into a loadable ESM handler and leaves @tensorflow/* to the layer', async () => {
    const [probe, chunk] = await Promise.all([bundleFunction(fixtureCatalog[0], root), bundleFunction(fixtureCatalog[1], root)]);
    const probeCode = Buffer.from(probe).toString('utf8');
    expect(probeCode).not.to.match(/from ["']@aws-sdk\//);
    expect(Buffer.from(chunk).toString('utf8')).to.match(/from ["']@tensorflow\/tfjs["']/);
    const file = join(dist, 'index.mjs');
    writeFileSync(file, probe);
    const mod = (await import(pathToFileURL(file).href)) as { handler: (e: { key: string }) => Promise<{ key: string; sdk: string }> };
    expect(await mod.handler({ key: 'k' })).to.deep.equal({ key: 'k', sdk: 'function' });
  });

  it('lists the files a bundle was built from, relative to the root, so the runner knows when it is stale', async () => {
    const { inputs } = await bundleFunctionModule(fixtureCatalog[0], root);
    expect(inputs).to.include(fixtureCatalog[0].entry);
    expect(inputs.some((f) => f.startsWith('node_modules/@aws-sdk/client-s3/'))).to.equal(true);
    expect(inputs.every((f) => !path.isAbsolute(f) && !f.startsWith('..'))).to.equal(true);
  });

  it('reports a handler that does not bundle, naming the function and entry', async () => {
    try {
      await bundleFunction({ ...fixtureCatalog[2], name: 'Broken', entry: 'test/infra/fixtures/handlers/missing.ts' }, root);
      expect.fail('should have thrown');
    } catch (error) {
      expect((error as Error).message).to.match(/esbuild failed for Broken \(test\/infra\/fixtures\/handlers\/missing\.ts\)/);
    }
  });
});
