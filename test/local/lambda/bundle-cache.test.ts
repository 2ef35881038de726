// Bundles are built once, found current while nothing they were built from changed, and rebuilt when
// something did: a module's own file or one it imports.
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { bundleModule } from '../../../infra/packaging/bundle-function';
import { createBundleCache, type BundleCache } from '../../../local/lambda/bundle-cache';

describe('local/lambda bundle cache', () => {
  let root: string;
  let builds: number;
  let cache: BundleCache;
  const request = { entry: 'entry.ts', external: [] };
  // Dated a minute back: a file changed within a second of a build is checked again at the next lookup.
  const write = (name: string, text: string, mtime = new Date(Date.now() - 60_000)) => {
    writeFileSync(path.join(root, name), text);
    utimesSync(path.join(root, name), mtime, mtime);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'longhaul-bundle-cache-'));
    write('entry.ts', "import { word } from './dep';\nexport const handler = async () => word;\n");
    write('dep.ts', "export const word = 'first';\n");
    builds = 0;
    cache = createBundleCache({
      rootDir: root,
      cacheDir: path.join(root, 'cache'),
      bundle: (...args) => {
        builds += 1;
        return bundleModule(...args);
      },
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds once, then finds the bundle current, also from a new process (a new cache on the same directory)', async () => {
    const [a, b] = await Promise.all([cache.get(request), cache.get(request)]);
    expect(builds).to.equal(1);
    expect(a).to.deep.equal(b);
    expect(a.built).to.equal(true);
    expect(readFileSync(a.file, 'utf8')).to.contain('"first"');
    const later = createBundleCache({ rootDir: root, cacheDir: path.join(root, 'cache') });
    expect(await later.get(request)).to.deep.equal({ ...a, built: false });
  });

  it('rebuilds when an imported file changes, even to the same size', async () => {
    const first = await cache.get(request);
    write('dep.ts', "export const word = 'other';\n", new Date(Date.now() - 30_000));
    const second = await cache.get(request);
    expect(builds).to.equal(2);
    expect(second.sha256).to.not.equal(first.sha256);
    expect(readFileSync(second.file, 'utf8')).to.contain('"other"');
    expect((await cache.get(request)).built).to.equal(false);
  });

  it('rebuilds when the tsconfig.json esbuild reads changes (its metafile does not list it)', async () => {
    write('tsconfig.json', '{ "compilerOptions": { "target": "es2022" } }\n');
    await cache.get(request);
    expect((await cache.get(request)).built).to.equal(false);
    write('tsconfig.json', '{ "compilerOptions": { "target": "es2020" } }\n', new Date(Date.now() - 30_000));
    expect((await cache.get(request)).built).to.equal(true);
    expect(builds).to.equal(2);
  });

  it('keeps a bundle built long ago but looked up just now when another process rebuilds the module', async () => {
    const old = await cache.get(request);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(old.file, hourAgo, hourAgo);
    // This runtime finds it current and is about to start a worker from it...
    expect((await cache.get(request)).file).to.equal(old.file);
    // ...when another process, seeing the source changed, builds the module again.
    write('dep.ts', "export const word = 'newer';\n", new Date(Date.now() - 30_000));
    const other = createBundleCache({ rootDir: root, cacheDir: path.join(root, 'cache') });
    expect((await other.get(request)).file).to.not.equal(old.file);
    expect(existsSync(old.file)).to.equal(true);
  });

  it('builds again at the next lookup when a file changed as the bundle was built (file clocks are coarse)', async () => {
    write('dep.ts', "export const word = 'fresh';\n", new Date());
    await cache.get(request);
    expect((await cache.get(request)).built).to.equal(true);
    expect(builds).to.equal(2);
  });

  it('rejects with esbuild\'s error when the module no longer bundles, and recovers once it does', async () => {
    await cache.get(request);
    rmSync(path.join(root, 'dep.ts'));
    let error: Error | undefined;
    await cache.get(request).catch((err: Error) => (error = err));
    expect(error?.message).to.contain('Could not resolve "./dep"');
    write('dep.ts', "export const word = 'back';\n");
    expect(readFileSync((await cache.get(request)).file, 'utf8')).to.contain('"back"');
  });
});
