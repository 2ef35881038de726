// asl/video.asl.json run by the local engine with the video handlers called in-process (no worker
// processes): the states, payload paths, Map item reader and failure path agree with the handlers.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createEngine, loadDefinition, type Engine } from '../../../local/engine';
import { localPlaceholders } from '../../../local/placeholders';
import { catalog } from '../../../handlers/catalog';
import { getJob } from '../../../handlers/lib/progress';
import { listKeys, putBuffer } from '../../../handlers/lib/s3';
import { jobKeys } from '../../../handlers/lib/storage-layout';
import { useLocalServices } from '../../support/services';
import { fakeContext, jobInput, measure, merge, probe, recordFailure, split, transcodeChunk, uploadClip } from './pipeline-steps';

const definitionText = readFileSync(new URL('../../../asl/video.asl.json', import.meta.url), 'utf8');

describe('asl/video.asl.json on the local engine (handlers in-process)', function () {
  this.timeout(120_000);
  const services = useLocalServices();
  let engine: Engine;
  let definition: ReturnType<typeof loadDefinition>;
  // What the TranscodeChunk task sees: its Lambda timeout, and the index of every attempt.
  let chunkTimeoutMs = 900_000;
  let chunkAttempts: number[] = [];

  before(() => {
    const s = services();
    const region = s.region;
    const placeholders = localPlaceholders({ functions: catalog, region, bucket: s.bucket, table: s.table });
    definition = loadDefinition(definitionText, { placeholders, fileName: 'asl/video.asl.json' });
    const inProcess = (name: string, fn: (event: unknown, ctx: ReturnType<typeof fakeContext>) => Promise<unknown>) => (input: unknown) =>
      fn(input, fakeContext(name));
    engine = createEngine({
      env: s.env,
      region,
      timeScale: 0.01,
      lambda: {
        invoke: async () => {
          throw new Error('every function runs in-process in this test');
        },
      },
      taskHandlers: {
        VideoProbe: inProcess('VideoProbe', probe),
        VideoSplit: inProcess('VideoSplit', split),
        VideoTranscodeChunk: (input: unknown) => {
          chunkAttempts.push((input as { index: number }).index);
          return transcodeChunk(input, fakeContext('VideoTranscodeChunk', chunkTimeoutMs));
        },
        VideoMerge: inProcess('VideoMerge', merge),
        RecordFailure: inProcess('RecordFailure', recordFailure),
      },
    });
  });
  after(async () => {
    await engine?.close();
  });

  it('runs a job to SUCCEEDED with the verification figures as output', async () => {
    const jobId = 'sm-ok';
    const key = await uploadClip(jobId, { fps: '25', gop: 25, bFrames: 3, durationSeconds: 3, audio: true, sampleRate: 48000 });
    const result = await engine.startExecution(definition, jobInput(jobId, key, { chunkSeconds: 1 })).done;
    expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
    const output = result.output as { jobId: string; outputKey: string; chunks: number; verification: { frames: { expected: number; actual: number } } };
    expect(output.jobId).to.equal(jobId);
    expect(output.chunks).to.equal(3);
    expect(output.verification.frames).to.deep.equal({ expected: 75, actual: 75 });
    const m = await measure(output.outputKey);
    expect(m.frames).to.equal(75);
    expect(Math.abs(m.audioSamples! - 3 * 48000)).to.be.at.most(1024);
    expect((await getJob(jobId))?.status).to.equal('SUCCEEDED');
  });

  it('a bad input fails the execution with its own Error and Cause, after marking the job FAILED', async () => {
    const jobId = 'sm-bad';
    const key = jobKeys.input(jobId, 'source.mp4');
    await putBuffer(key, 'definitely not a video');
    const result = await engine.startExecution(definition, jobInput(jobId, key)).done;
    expect(result.status).to.equal('FAILED');
    expect(result.error).to.equal('InvalidInput');
    expect(result.cause).to.contain('not a readable media file');
    const job = await getJob(jobId);
    expect(job?.status).to.equal('FAILED');
    expect(job?.error).to.equal('InvalidInput');
    expect(job?.cause).to.contain('not a readable media file');
    expect(await listKeys(jobKeys.work(jobId, ''))).to.deep.equal([]);
  });

  it('a chunk that cannot finish within its timeout fails the job without being retried', async () => {
    const jobId = 'sm-over-budget';
    const key = await uploadClip(jobId, { fps: '25', gop: 25, durationSeconds: 2, audio: false });
    // No time at all: every attempt is stopped at once.
    chunkTimeoutMs = 0;
    chunkAttempts = [];
    try {
      const result = await engine.startExecution(definition, jobInput(jobId, key, { chunkSeconds: 1 })).done;
      expect(result.status).to.equal('FAILED');
    } finally {
      chunkTimeoutMs = 900_000;
    }
    // Two chunks, one attempt each: ChunkOverBudget matches no Retry rule.
    expect([...chunkAttempts].sort()).to.deep.equal([0, 1]);
    expect((await getJob(jobId))?.status).to.equal('FAILED');
  });

  it('an execution input without a usable jobId still fails with the validation error', async () => {
    const result = await engine.startExecution(definition, { input: { key: 'x' } }).done;
    expect(result.status).to.equal('FAILED');
    expect(result.error).to.equal('InvalidInput');
    expect(result.cause).to.contain('jobId');
  });
});
