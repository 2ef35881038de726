// The relay that lets ffmpeg read S3 objects with range requests: byte-exact ranges as HTTP defines them,
// each byte fetched from S3 about once for a full pass (counted by the SDK middleware behind the task's
// S3BytesRead), S3's own error when a read fails, and no relay URL left in what ffmpeg says.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FfmpegFailed, probe, run, videoPackets } from '../../../handlers/lib/ffmpeg';
import { readRequestCounts, resetRequestCounts } from '../../../handlers/lib/request-counts';
import { putBuffer, uploadFile } from '../../../handlers/lib/s3';
import { parseRange, withRelayedObjects } from '../../../handlers/lib/s3-http-relay';
import { withWorkDir } from '../../../handlers/lib/workdir';
import { generateClip } from '../../support/media';
import { rejection } from '../../support/rejection';
import { useLocalServices } from '../../support/services';

describe('handlers/lib/s3-http-relay', () => {
  useLocalServices();
  // 3 MiB and a bit: past the first windows, so reads cross window edges.
  const data = randomBytes(3 * 1024 * 1024 + 12345);
  const key = 'jobs/relay/work/blob.bin';
  before(() => putBuffer(key, data));

  it('parses the Range forms ffmpeg and curl send, and refuses what lies past the end', () => {
    expect(parseRange(undefined, 100)).to.equal('whole');
    expect(parseRange('bytes=10-19', 100)).to.deep.equal({ start: 10, end: 19 });
    expect(parseRange('bytes=90-', 100)).to.deep.equal({ start: 90, end: 99 });
    expect(parseRange('bytes=90-500', 100)).to.deep.equal({ start: 90, end: 99 });
    expect(parseRange('bytes=-5', 100)).to.deep.equal({ start: 95, end: 99 });
    expect(parseRange('bytes=100-', 100)).to.equal(undefined);
    expect(parseRange('bytes=0-', 0)).to.equal(undefined);
  });

  it('answers ranged GETs with exactly the bytes asked for (206 and Content-Range), and whole GETs with all of them', async () => {
    await withRelayedObjects([{ key }], async (relay) => {
      const url = relay.url(key);
      const cases: [string, number, number][] = [
        ['bytes=0-', 0, data.length - 1],
        ['bytes=262140-262150', 262140, 262150],
        ['bytes=1000000-', 1000000, data.length - 1],
        [`bytes=-100`, data.length - 100, data.length - 1],
      ];
      for (const [range, start, end] of cases) {
        const res = await fetch(url, { headers: { range } });
        expect(res.status, range).to.equal(206);
        expect(res.headers.get('content-range'), range).to.equal(`bytes ${start}-${end}/${data.length}`);
        expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(start, end + 1)), range).to.equal(true);
      }
      const whole = await fetch(url);
      expect(whole.status).to.equal(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(data)).to.equal(true);
      expect((await fetch(url, { headers: { range: `bytes=${data.length}-` } })).status).to.equal(416);
    });
  });

  it('lets ffprobe read a video in place, fetching each byte from S3 about once for two passes over it', async () => {
    await withWorkDir(async (dir) => {
      const path = join(dir, 'clip.mp4');
      // Index at the end, as most cameras write it: the reader jumps to it and back.
      await generateClip(path, { width: 320, height: 180, durationSeconds: 3, audio: true });
      const clipKey = 'jobs/relay/input/clip.mp4';
      await uploadFile(path, clipKey);
      const local = await videoPackets(path, 0);
      resetRequestCounts();
      const [remote, size] = await withRelayedObjects([{ key: clipKey }], async (relay) => {
        const url = relay.url(clipKey);
        const info = await probe(url);
        return [await videoPackets(url, 0), Number(info.format?.size)] as const;
      });
      expect(remote).to.deep.equal(local);
      // The header read and the packet pass share what was fetched: S3 sent the file once, not twice.
      const read = readRequestCounts().s3BytesRead;
      expect(read).to.be.at.least(size);
      expect(read).to.be.at.most(size * 1.05);
    });
  });

  it('throws S3’s own error when a read fails, not ffmpeg’s, and names keys rather than relay URLs', async () => {
    const missing = 'jobs/relay/input/missing.mp4';
    const err = await rejection(
      withRelayedObjects([{ key: missing }], async (relay) => {
        await run('ffmpeg', ['-v', 'error', '-i', relay.url(missing), '-f', 'null', '-']);
      }),
    );
    expect(err.name).to.equal('InputNotFound');
    expect(err.message).to.contain(missing);

    // A readable object that is not media: ffmpeg's complaint, with the key where the URL was.
    const junk = 'jobs/relay/input/junk.bin';
    await putBuffer(junk, 'not a video');
    const said = await withRelayedObjects([{ key: junk }], async (relay) => {
      const failed = await rejection(run('ffprobe', ['-v', 'error', relay.url(junk)]));
      expect(failed).to.be.instanceOf(FfmpegFailed);
      return relay.redact((failed as FfmpegFailed).stderrTail.join(' | '));
    });
    expect(said).to.contain(`${junk}: Invalid data found`);
    expect(said).to.not.contain('127.0.0.1');
  });
});
