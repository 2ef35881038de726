import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { writeDeterministicZip } from '../../../infra/packaging/deterministic-zip';
import { readZipEntries } from '../../../infra/packaging/zip-contents';
import { ffmpegLayerEntries } from '../../../layers/ffmpeg';

const root = resolve(import.meta.dirname, '..', '..', '..');

describe('layers/ffmpeg', () => {
  it('puts ffmpeg and ffprobe at bin/, executable by anyone even though npm installs ffprobe 0744', () => {
    const entries = ffmpegLayerEntries(root);
    expect(entries.map((e) => [e.name, (e.mode & 0o777).toString(8)])).to.deep.equal([
      ['bin/ffmpeg', '755'],
      ['bin/ffprobe', '755'],
    ]);
    for (const e of entries) expect('path' in e.source && statSync(e.source.path).size).to.be.greaterThan(10_000_000);
  });

  it('writes those modes into the zip (checked on small stand-ins: zipping the real 145 MB is for make layers)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'longhaul-ffmpeg-layer-'));
    try {
      const standIns = ffmpegLayerEntries(root).map((e) => ({ ...e, source: { data: Buffer.from(`#!/bin/sh\n# ${e.name}\n`) } }));
      const zip = await writeDeterministicZip(standIns, join(dir, 'ffmpeg.zip'));
      const modes = (await readZipEntries(zip.path)).map((e) => e.mode);
      expect(modes).to.deep.equal([0o100755, 0o100755]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the missing binary package', () => {
    expect(() => ffmpegLayerEntries('/nonexistent')).to.throw(/node_modules\/@ffmpeg-installer\/linux-x64\/ffmpeg is missing/);
  });
});
