// The one-pass scan probe plans from must see exactly what the separate tools see: every video packet as
// ffprobe lists it (keyframes, edit-list discards) and the audio samples a full decode yields.
import { expect } from 'chai';
import { join } from 'node:path';
import { countAudioSamples, mainAudioStream, mainVideoStream, probe, videoPackets } from '../../../handlers/lib/ffmpeg';
import { scanMedia } from '../../../handlers/lib/ffmpeg-scan';
import { withWorkDir } from '../../../handlers/lib/workdir';
import { generateClip, trimByEditList } from '../../support/media';

/** Times compared at microseconds: ffprobe prints them rounded so, the scan computes them from integers. */
const rounded = (p: Awaited<ReturnType<typeof videoPackets>>) => JSON.parse(JSON.stringify(p, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v)));

describe('handlers/lib/ffmpeg-scan', function () {
  this.timeout(30_000);

  it('matches ffprobe packet by packet and a full decode sample by sample, with B-frames and with an edit list', async () => {
    await withWorkDir(async (dir) => {
      const clip = join(dir, 'clip.mp4');
      await generateClip(clip, { fps: '25', gop: 25, bFrames: 2, durationSeconds: 3, audio: true, sampleRate: 44100 });
      const trimmed = join(dir, 'trimmed.mp4');
      await trimByEditList(clip, trimmed, 1.4);
      for (const path of [clip, trimmed]) {
        const info = await probe(path);
        const [video, audio] = [mainVideoStream(info)!, mainAudioStream(info)!];
        const scan = await scanMedia(path, video.index, audio.index);
        expect(rounded(scan.video), path).to.deep.equal(rounded(await videoPackets(path, video.index)));
        expect(scan.audio?.samples, path).to.equal((await countAudioSamples(path)).samples);
        expect(scan.audio?.sampleRate).to.equal(44100);
      }
      // The trimmed file hides 10 frames before its cut; the scan says so as ffprobe does.
      const trimmedScan = await scanMedia(trimmed, 0, undefined);
      expect(trimmedScan.video.discarded.leading).to.equal(10);
      expect(trimmedScan.audio).to.equal(null);
    });
  });
});
