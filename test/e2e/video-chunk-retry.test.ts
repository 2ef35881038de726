// A transcode-chunk worker killed mid-encode (its process group, ffmpeg included) leaves nothing a retry
// would trust, and the retry produces byte-for-byte what an uninterrupted run produces.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { exists, getStream, uploadFile } from '../../handlers/lib/s3';
import { jobKeys } from '../../handlers/lib/storage-layout';
import { videoKeys } from '../../handlers/video/keys';
import { generateClip } from '../support/media';
import { useLocalStack } from '../support/stack';
import { waitUntilGone } from '../support/process-state';

const exec = promisify(execFile);

async function sha256Of(key: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await getStream(key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Pids of running x264 encodes whose output is in `dirPart`. */
async function encoderPids(dirPart: string): Promise<number[]> {
  const { stdout } = await exec('ps', ['-eo', 'pid=,args=']);
  return stdout
    .split('\n')
    .filter((line) => line.includes('libx264') && line.includes(dirPart))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}


describe('video transcode-chunk killed mid-run, then retried', function () {
  this.timeout(300_000);
  let dir: string;
  const localStack = useLocalStack();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-retry-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function prepareJob(jobId: string, source: string): Promise<void> {
    const key = jobKeys.input(jobId, 'source.mp4');
    await uploadFile(source, key);
    // Heavy enough settings that the encode is seen running before it ends.
    const job = { jobId, input: { key }, output: { height: 720, preset: 'medium' }, chunkSeconds: 2 };
    for (const [fn, event] of [['VideoProbe', job], ['VideoSplit', { jobId }]] as const) {
      const outcome = await localStack().lambda.invoke(fn, event);
      expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
    }
  }

  it('leaves no chunk output after the kill, and the retry matches an uninterrupted encode', async () => {
    const source = join(dir, 'source.mp4');
    await generateClip(source, { width: 1280, height: 720, fps: '25', gop: 50, durationSeconds: 2, audio: false });
    await prepareJob('killed', source);
    await prepareJob('clean', source);

    const abort = new AbortController();
    const invocation = localStack().lambda.invoke('VideoTranscodeChunk', { jobId: 'killed', index: 0 }, { signal: abort.signal });
    let pids: number[] = [];
    const deadline = Date.now() + 60_000;
    while (pids.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      pids = await encoderPids('out.mp4');
    }
    expect(pids, 'ffmpeg never seen encoding').to.not.be.empty;
    abort.abort();
    const killed = await invocation;
    expect(killed.ok).to.equal(false);
    for (const pid of pids) expect(await waitUntilGone(pid), `ffmpeg ${pid} survived the kill`).to.equal(true);
    expect(await exists(videoKeys.encodedChunk('killed', 0))).to.equal(false);
    expect(await exists(videoKeys.encodedChunkMarker('killed', 0))).to.equal(false);

    const retried = await localStack().lambda.invoke('VideoTranscodeChunk', { jobId: 'killed', index: 0 });
    expect(retried.ok, JSON.stringify(retried)).to.equal(true);
    const clean = await localStack().lambda.invoke('VideoTranscodeChunk', { jobId: 'clean', index: 0 });
    expect(clean.ok, JSON.stringify(clean)).to.equal(true);
    expect(await sha256Of(videoKeys.encodedChunk('killed', 0))).to.equal(await sha256Of(videoKeys.encodedChunk('clean', 0)));
  });
});
