// A chunk task that fails with a retryable error inside an execution is retried by the state machine
// (asl/video.asl.json's Retry on TransientError), and the job still succeeds with exact output, each
// chunk counted once.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { collectFunctions, pipelines } from '../../handlers/catalog';
import { binaryPath } from '../../handlers/lib/ffmpeg';
import { getJob } from '../../handlers/lib/progress';
import type { InvokeOutcome } from '../../local/lambda/types';
import { videoOutputSchema, videoPipeline } from '../../handlers/video/pipeline';
import { runJob } from '../../local/run/job-runner';
import { FAIL_ONCE_DIR_ENV } from '../fixtures/video/transcode-chunk-fails-once';
import { expectedFrames, generateClip } from '../support/media';
import { useLocalStack } from '../support/stack';

const exec = promisify(execFile);

// Made before the stack starts: the function's environment names it.
const failOnceDir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-fail-once-'));
const functions = collectFunctions(pipelines).map((spec) =>
  spec.name === 'VideoTranscodeChunk'
    ? { ...spec, entry: 'test/fixtures/video/transcode-chunk-fails-once.ts', env: { ...spec.env, [FAIL_ONCE_DIR_ENV]: failOnceDir } }
    : spec,
);

describe('video chunk task failing once inside an execution', function () {
  this.timeout(300_000);
  const localStack = useLocalStack({ functions, onLog: () => {} });
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-asl-retry-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(failOnceDir, { recursive: true, force: true });
  });

  it('is retried by the state machine and the job succeeds with every frame, each chunk counted once', async () => {
    const source = join(dir, 'source.mp4');
    await generateClip(source, { width: 320, height: 180, fps: '25', gop: 25, durationSeconds: 2, audio: true, sampleRate: 48000 });
    const output = join(dir, 'out.mp4');
    const outcomes: InvokeOutcome[] = [];
    const stop = localStack().observeInvocations((r) => r.functionName === 'VideoTranscodeChunk' && outcomes.push(r.outcome));
    let summary;
    try {
      summary = await runJob({
        pipeline: videoPipeline,
        files: { input: source },
        settings: { output: { height: 120 }, chunkSeconds: 1 },
        outputPath: output,
        stack: localStack(),
      });
    } finally {
      stop();
    }
    expect(summary.result.status, `${summary.result.error}: ${summary.result.cause}`).to.equal('SUCCEEDED');
    expect(videoOutputSchema.parse(summary.result.output).chunks).to.equal(2);
    // Each chunk: one injected failure, then one success.
    expect((await readdir(failOnceDir)).sort()).to.deep.equal([`${summary.jobId}-0`, `${summary.jobId}-1`]);
    const failed = outcomes.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.error.errorType));
    expect(failed).to.deep.equal(['TransientError', 'TransientError']);
    const succeeded = outcomes.filter((o) => o.ok).map((o) => (o as { payload: { index: number; reused: boolean } }).payload);
    expect(succeeded.map((p) => p.index).sort()).to.deep.equal([0, 1]);
    expect(succeeded.every((p) => !p.reused)).to.equal(true);

    const { stdout } = await exec(await binaryPath('ffprobe'), [
      '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,height', '-of', 'json', output,
    ]);
    const stream = (JSON.parse(stdout) as { streams: { nb_read_frames: string; height: number }[] }).streams[0]!;
    expect(Number(stream.nb_read_frames)).to.equal(expectedFrames('25', 2));
    expect(stream.height).to.equal(120);
    const job = await getJob(summary.jobId);
    expect([job?.status, job?.doneUnits, job?.totalUnits]).to.deep.equal(['SUCCEEDED', 2, 2]);
  });
});
