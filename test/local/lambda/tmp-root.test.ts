import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTmpRoot, sweepStaleTmpRoots } from '../../../local/lambda/tmp-root';

describe('local/lambda tmp root', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(path.join(tmpdir(), 'longhaul-tmproot-test-'));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it("removes only the roots of processes that are gone, leaving live owners' and unrelated dirs", () => {
    const deadPid = spawnSync('true').pid!;
    const dead = path.join(parent, `longhaul-lambda-${deadPid}-abc123`);
    const alive = path.join(parent, `longhaul-lambda-${process.pid}-def456`);
    const unrelated = path.join(parent, 'longhaul-lambda-notapid');
    for (const dir of [dead, alive, unrelated]) mkdirSync(path.join(dir, 'Fn-1'), { recursive: true });
    sweepStaleTmpRoots(parent);
    expect(existsSync(dead)).to.equal(false);
    expect(existsSync(alive)).to.equal(true);
    expect(existsSync(unrelated)).to.equal(true);
  });

  it('names a new root after the owning process', () => {
    const root = createTmpRoot(parent);
    expect(path.basename(root)).to.match(new RegExp(`^longhaul-lambda-${process.pid}-`));
    expect(existsSync(root)).to.equal(true);
  });
});
