import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sha256File } from '../../../handlers/lib/file-hash';
import { EXECUTABLE_MODE, FILE_MODE, writeDeterministicZip } from '../../../infra/packaging/deterministic-zip';
import { readZipEntries, unzippedBytes } from '../../../infra/packaging/zip-contents';

describe('infra/packaging/deterministic-zip', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'longhaul-zip-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes sorted entries with the fixed 1980-01-01 timestamp and the modes asked for', async () => {
    const tool = join(dir, 'tool');
    writeFileSync(tool, '#!/bin/sh\necho hi\n', { mode: 0o744 });
    const zip = await writeDeterministicZip(
      [
        { name: 'b.txt', source: { data: Buffer.from('bee') }, mode: FILE_MODE },
        { name: 'bin/tool', source: { path: tool }, mode: EXECUTABLE_MODE },
        { name: 'a.txt', source: { data: Buffer.from('a'.repeat(1000)) }, mode: FILE_MODE },
      ],
      join(dir, 'out.zip'),
    );
    const entries = await readZipEntries(zip.path);
    expect(entries.map((e) => e.name)).to.deep.equal(['a.txt', 'b.txt', 'bin/tool']);
    expect(entries.map((e) => (e.mode & 0o777).toString(8))).to.deep.equal(['644', '644', '755']);
    // DOS date: (year-1980)<<9 | month<<5 | day
    expect(entries.every((e) => e.dosDate === ((0 << 9) | (1 << 5) | 1) && e.dosTime === 0)).to.equal(true);
    expect(entries[0].compressedBytes).to.be.lessThan(entries[0].uncompressedBytes);
    expect(await unzippedBytes(zip.path)).to.equal(1000 + 3 + 18);
    expect(zip.sha256).to.equal(await sha256File(zip.path));
  });

  it('gives identical bytes for identical inputs whatever the order or the files’ own mtimes', async () => {
    const f = join(dir, 'f');
    writeFileSync(f, 'same content');
    const entries = [
      { name: 'x/f', source: { path: f }, mode: FILE_MODE },
      { name: 'index.mjs', source: { data: Buffer.from('export const handler = 1;') }, mode: FILE_MODE },
    ];
    const first = await writeDeterministicZip(entries, join(dir, 'one.zip'));
    writeFileSync(f, 'same content'); // new mtime
    const second = await writeDeterministicZip([...entries].reverse(), join(dir, 'two.zip'));
    expect(second.sha256).to.equal(first.sha256);
    expect(readFileSync(join(dir, 'one.zip')).equals(readFileSync(join(dir, 'two.zip')))).to.equal(true);
  });

  it('leaves an unchanged zip untouched (same mtime) and replaces a changed one', async () => {
    const out = join(dir, 'out.zip');
    const entries = [{ name: 'a', source: { data: Buffer.from('1') }, mode: FILE_MODE }];
    expect((await writeDeterministicZip(entries, out)).changed).to.equal(true);
    const mtime = statSync(out).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    expect((await writeDeterministicZip(entries, out)).changed).to.equal(false);
    expect(statSync(out).mtimeMs).to.equal(mtime);
    const changed = await writeDeterministicZip([{ name: 'a', source: { data: Buffer.from('2') }, mode: FILE_MODE }], out);
    expect(changed.changed).to.equal(true);
    expect(await sha256File(out)).to.equal(changed.sha256);
  });

  it('rejects duplicate and escaping entry names', async () => {
    const data = { data: Buffer.from('') };
    await expectRejection(writeDeterministicZip([{ name: 'a', source: data, mode: FILE_MODE }, { name: 'a', source: data, mode: FILE_MODE }], join(dir, 'z.zip')), /"a" appears twice/);
    await expectRejection(writeDeterministicZip([{ name: '../a', source: data, mode: FILE_MODE }], join(dir, 'z.zip')), /relative \/-separated path/);
  });

  it('leaves nothing behind when a source cannot be read', async () => {
    const out = join(dir, 'partial.zip');
    await expectRejection(writeDeterministicZip([{ name: 'gone', source: { path: join(dir, 'missing') }, mode: FILE_MODE }], out), /ENOENT/);
    expect(existsSync(out)).to.equal(false);
    expect(readdirSync(dir)).to.deep.equal([]);
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected rejection matching ${pattern}`);
}
