import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { FunctionSpec } from '../../../handlers/catalog-types';
import { functionZipPath, layerZipPath } from '../../../infra/artifacts';
import { UNZIPPED_LIMIT_BYTES } from '../../../infra/lambda-runtime';
import { FILE_MODE, writeDeterministicZip } from '../../../infra/packaging/deterministic-zip';
import { assertWithinLimit, measureFunctionSizes } from '../../../infra/packaging/size-check';

const fn = (name: string, layers: FunctionSpec['layers']): FunctionSpec => ({
  name, entry: 'x.ts', description: '', memoryMb: 128, timeoutSeconds: 3, ephemeralStorageMb: 512, layers, s3: { read: [], write: [] }, table: 'none',
});

describe('infra/packaging/size-check', () => {
  let dist: string;
  // Zeros compress ~1000:1, so "big" unzipped layers stay small on disk and fast to write.
  const zipOf = (path: string, bytes: number) => writeDeterministicZip([{ name: 'blob', source: { data: Buffer.alloc(bytes) }, mode: FILE_MODE }], path);

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'longhaul-size-'));
    await zipOf(functionZipPath(dist, 'Small'), 10_000);
    await zipOf(functionZipPath(dist, 'Heavy'), 10_000);
    await zipOf(layerZipPath(dist, 'ffmpeg'), 600_000);
    await zipOf(layerZipPath(dist, 'tfjs'), 500_000);
  });
  after(() => rmSync(dist, { recursive: true, force: true }));

  it('uses Lambda’s 250 MB (262,144,000 bytes) limit by default', () => {
    expect(UNZIPPED_LIMIT_BYTES).to.equal(262_144_000);
  });

  it('adds each function’s unzipped code to its layers', async () => {
    const sizes = await measureFunctionSizes([fn('Small', []), fn('Heavy', ['ffmpeg', 'tfjs'])], dist);
    expect(sizes.map((s) => [s.name, s.totalBytes, s.withinLimit])).to.deep.equal([
      ['Small', 10_000, true],
      ['Heavy', 1_110_000, true],
    ]);
    expect(() => assertWithinLimit(sizes)).not.to.throw();
  });

  it('trips on an oversized layer, naming the function and the sizes', async () => {
    const limit = 1_000_000;
    const sizes = await measureFunctionSizes([fn('Small', ['tfjs']), fn('Heavy', ['ffmpeg', 'tfjs'])], dist, limit);
    expect(sizes.map((s) => s.withinLimit)).to.deep.equal([true, false]);
    expect(() => assertWithinLimit(sizes, limit)).to.throw(
      /Heavy: 1\.1 MB \(1,110,000 bytes\) unzipped \(code 0\.0 MB \(10,000 bytes\) \+ layer ffmpeg 0\.6 MB \(600,000 bytes\) \+ layer tfjs 0\.5 MB \(500,000 bytes\)\) > limit 1\.0 MB/,
    );
    expect(() => assertWithinLimit(sizes, limit)).not.to.throw(/Small/);
  });

  it('names the missing zip and the make target that builds it', async () => {
    try {
      await measureFunctionSizes([fn('Absent', [])], dist);
      expect.fail('should have thrown');
    } catch (error) {
      expect((error as Error).message).to.match(/Missing .*functions\/Absent\.zip: run `make build` first/);
    }
  });
});
