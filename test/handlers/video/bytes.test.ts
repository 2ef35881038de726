// What the video tasks move through S3, counted at the server (a proxy in front of s3rver sees every request
// the handlers' clients and ffmpeg's reads make): the source is read at most twice (probe and split, in
// place), and the merged output is uploaded once and published by a copy S3 makes itself.
import { expect } from 'chai';
import { downloadToFile, getRange, head } from '../../../handlers/lib/s3';
import { countPackets } from '../../../handlers/lib/ffmpeg';
import { videoKeys } from '../../../handlers/video/keys';
import { readManifest } from '../../../handlers/video/manifest';
import { splitSource } from '../../../handlers/video/split-source';
import { createLogger } from '../../../handlers/lib/logger';
import { applyEnv } from '../../../local/process-env';
import { startCountingProxy, type CountingProxy, type SeenRequest } from '../../support/counting-proxy';
import { useLocalServices } from '../../support/services';
import { fakeContext, jobInput, merge, probe, split, transcodeChunk, uploadClip, withTempDir } from './pipeline-steps';
import { join } from 'node:path';

describe('video pipeline: bytes moved, counted at the server', function () {
  this.timeout(120_000);
  const services = useLocalServices();
  // Nested, so its after() (the endpoint put back) runs before the services' own (the environment restored).
  describe('through a proxy in front of s3rver', () => {
    let proxy: CountingProxy;
    let restoreEnv: () => void;
    before(async () => {
      proxy = await startCountingProxy(services().env.AWS_ENDPOINT_URL_S3!);
      restoreEnv = applyEnv({ AWS_ENDPOINT_URL_S3: proxy.endpoint });
    });
    after(async () => {
      restoreEnv();
      await proxy.close();
    });

    /** Requests seen from `from` on whose path names `key`. */
    const on = (key: string, from: number): SeenRequest[] => proxy.seen.slice(from).filter((r) => decodeURIComponent(r.url.split('?')[0]!).endsWith(`/${key}`));
    const gotBytes = (rs: SeenRequest[]) => rs.filter((r) => r.method === 'GET').reduce((n, r) => n + r.responseBytes, 0);

    it('probe and split read the source at most twice; merge uploads the output once and publishes it by a server-side copy', async () => {
      const jobId = 'v-bytes';
      // Index at the end (as cameras write it) and a few MB: reads cross windows and jump to the index and back.
      const key = await uploadClip(jobId, { width: 640, height: 360, fps: '25', gop: 25, durationSeconds: 8, audio: true, preset: 'veryfast' });
      const size = (await head(key))!.size;
      const input = jobInput(jobId, key, { chunkSeconds: 2 });

      const start = proxy.seen.length;
      const plan = await probe(input, fakeContext('VideoProbe'));
      const probeRead = gotBytes(on(key, start));
      const afterProbe = proxy.seen.length;
      await split({ jobId }, fakeContext('VideoSplit'));
      const splitRead = gotBytes(on(key, afterProbe));
      expect(probeRead, 'probe').to.be.within(size, size * 1.02);
      expect(splitRead, 'split').to.be.within(size, size * 1.02);

      for (let index = 0; index < plan.chunkCount; index++) await transcodeChunk({ jobId, index }, fakeContext('VideoTranscodeChunk'));
      const beforeMerge = proxy.seen.length;
      await merge({ jobId }, fakeContext('VideoMerge'));
      const mergedKey = videoKeys.mergedVideo(jobId);
      const outputKey = videoKeys.output(jobId);
      const outputSize = (await head(outputKey))!.size;
      const uploaded = on(mergedKey, beforeMerge).filter((r) => r.method === 'PUT' || r.method === 'POST');
      expect(uploaded.reduce((n, r) => n + r.requestBytes, 0)).to.be.within(outputSize, outputSize + 64 * 1024);
      // One PUT at output/, with no body: S3's copy of the verified upload.
      const published = on(outputKey, beforeMerge).filter((r) => r.method === 'PUT');
      expect(published.map((r) => r.requestBytes)).to.deep.equal([0]);
      const [a, b] = await Promise.all([getRange(mergedKey, 0, outputSize - 1), getRange(outputKey, 0, outputSize - 1)]);
      expect(a.equals(b)).to.equal(true);
    });

    it('split finishes when uploads hold every read back (1 byte of chunks may wait), with every chunk as planned', async () => {
      const jobId = 'v-bytes-held';
      const key = await uploadClip(jobId, { width: 640, height: 360, fps: '25', gop: 25, durationSeconds: 6, audio: true, preset: 'veryfast' });
      await probe(jobInput(jobId, key, { chunkSeconds: 1 }), fakeContext('VideoProbe'));
      const m = await readManifest(jobId);
      const previous = process.env.POWERTOOLS_LOG_LEVEL;
      process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
      const log = createLogger('video-split');
      if (previous === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
      else process.env.POWERTOOLS_LOG_LEVEL = previous;
      await splitSource(m, log, 1);
      await withTempDir(async (dir) => {
        for (const c of m.chunks) {
          const path = join(dir, `${c.index}.mkv`);
          await downloadToFile(videoKeys.sourceChunk(jobId, c.index), path);
          expect((await countPackets(path)).video, `chunk ${c.index}`).to.equal(c.frameCount);
        }
      });
      expect(m.chunks).to.have.length(6);
    });
  });
});
