// `longhaul run video` as a user runs it: the real launcher, a real clip, the whole local stack.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../support/cli';
import { generateClip } from '../../support/media';

describe('longhaul run video', function () {
  this.timeout(180_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-cli-run-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('transcodes a clip, writes the output where asked and prints the verification figures', async () => {
    const input = join(dir, 'clip.mp4');
    await generateClip(input, { durationSeconds: 3, fps: '25', gop: 25 });
    const output = join(dir, 'out', 'clip-120p.mp4');
    const r = await runCli(['run', 'video', '--input', input, '--output', output, '--height', '120', '--chunk-seconds', '1'], dir);
    expect(r.code, r.stderr).to.equal(0);
    expect(existsSync(output)).to.equal(true);
    expect(r.stdout).to.match(/^status\s+SUCCEEDED$/m);
    expect(r.stdout).to.match(/^chunks\s+3$/m);
    expect(r.stdout).to.match(/^\s+frames\s+75 \(source 75\)$/m);
    expect(r.stdout).to.match(/^verification\s+PASSED$/m);
    expect(r.stderr).to.match(/chunk 3\/3 done/);
  });

  it('fails with exit 1 and the error and its message on one line; the stack trace only with --verbose', async () => {
    const input = join(dir, 'notes.mp4');
    await (await import('node:fs/promises')).writeFile(input, 'not a video\n');
    const r = await runCli(['run', 'video', '--input', input], dir);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^status\s+FAILED$/m);
    expect(r.stdout).to.match(/^error\s+InvalidInput: Input is not a readable media file: ffprobe says: .+$/m);
    // Not the Cause's JSON, not its stack trace.
    expect(r.stdout).to.not.contain('errorType');
    expect(r.stdout).to.not.match(/^\s+at /m);
    const verbose = await runCli(['run', 'video', '--input', input, '--verbose'], dir);
    expect(verbose.code).to.equal(1);
    // The workers run the deployed bundle, whose frames name index.mjs as they do in Lambda's logs.
    expect(verbose.stdout).to.match(/^\s+at .*\/index\.mjs:\d+/m);
  });

  it('lists the pipelines, and each pipeline its options with the job schema\'s defaults', async () => {
    const overview = await runCli(['run', '--help'], dir);
    expect(overview.code).to.equal(0);
    expect(overview.stdout).to.match(/^\s+video\s+transcode a video .*\(asl\/video\.asl\.json\)$/m);
    const video = await runCli(['run', 'video', '--help'], dir);
    expect(video.code).to.equal(0);
    expect(video.stdout).to.match(/--height <integer>\s+Output height in pixels, even\. Default 360\.$/m);
    expect(video.stdout).to.match(/--preset <string>\s+.* Default veryfast\.$/m);
    expect(video.stdout).to.match(/--max-concurrency <integer>\s+.* Default 10\.$/m);
  });

  it('refuses bad usage with exit 2 before starting anything', async () => {
    expect((await runCli(['run', 'video'], dir)).code).to.equal(2);
    expect((await runCli(['run', 'audio', '--input', 'x'], dir)).code).to.equal(2);
    expect((await runCli(['run', 'video', '--input', 'x', '--bogus'], dir)).code).to.equal(2);
    expect((await runCli(['run', 'video', '--input', 'x', '--height', 'tall'], dir)).code).to.equal(2);
    // The job schema's own check, named by the option that sets the field.
    const odd = await runCli(['run', 'video', '--input', join(dir, 'clip.mp4'), '--height', '361'], dir);
    expect(odd.code).to.equal(2);
    expect(odd.stderr).to.contain('--height: must be even');
    const r = await runCli(['run', 'video', '--input', join(dir, 'missing.mp4')], dir);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('missing.mp4');
  });
});
