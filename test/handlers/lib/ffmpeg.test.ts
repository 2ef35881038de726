// handlers/lib/ffmpeg against the real binaries and small generated clips.
import { expect } from 'chai';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  binaryPath,
  countPackets,
  decodeCheck,
  FfmpegFailed,
  mainAudioStream,
  mainVideoStream,
  parseRational,
  probe,
  progressParser,
  run,
  videoPackets,
  type FfmpegProgress,
} from '../../../handlers/lib/ffmpeg';
import { generateClip, trimByEditList } from '../../support/media';

describe('handlers/lib/ffmpeg', function () {
  this.timeout(60_000);
  let dir: string;
  let clip: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-ffmpeg-test-'));
    clip = join(dir, 'clip.mp4');
    // 3 s at 25 fps = 75 frames, keyframe every 25 → 3 keyframes; 44.1 kHz tone.
    await generateClip(clip, { fps: '25', gop: 25, durationSeconds: 3, audio: true, sampleRate: 44100 });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('binaryPath', () => {
    let saved: string | undefined;
    beforeEach(() => {
      saved = process.env.FFPROBE_PATH;
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.FFPROBE_PATH;
      else process.env.FFPROBE_PATH = saved;
    });

    it('finds both binaries from the npm packages when /opt/bin has none', async () => {
      expect(await binaryPath('ffmpeg')).to.match(/ffmpeg$/);
      expect(await binaryPath('ffprobe')).to.match(/ffprobe$/);
    });

    it('refuses an override that is not an executable, naming the variable', async () => {
      process.env.FFPROBE_PATH = join(dir, 'does-not-exist');
      let err: Error | undefined;
      try {
        await binaryPath('ffprobe');
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).to.contain('FFPROBE_PATH=');
    });

    it('uses a valid override', async () => {
      const real = await binaryPath('ffprobe');
      const link = join(dir, 'my-ffprobe');
      await symlink(real, link);
      process.env.FFPROBE_PATH = link;
      expect(await binaryPath('ffprobe')).to.equal(link);
      const { stdout } = await run('ffprobe', ['-version']);
      expect(stdout).to.match(/^ffprobe version/);
    });
  });

  describe('run', () => {
    it('turns a failure into FfmpegFailed quoting ffmpeg\'s last lines', async () => {
      const missing = join(dir, 'missing.mp4');
      let err: unknown;
      try {
        await run('ffmpeg', ['-v', 'error', '-i', missing, '-f', 'null', '-']);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(FfmpegFailed);
      const failed = err as FfmpegFailed;
      expect(failed.exitCode).to.not.equal(0);
      expect(failed.message).to.contain('No such file or directory');
      expect(failed.stderrTail.join('\n')).to.contain(missing);
    });

    it('reports progress blocks ending with done', async () => {
      const seen: FfmpegProgress[] = [];
      await run('ffmpeg', ['-v', 'error', '-i', clip, '-f', 'null', '-'], { onProgress: (p) => seen.push(p) });
      const last = seen[seen.length - 1]!;
      expect(last.done).to.equal(true);
      expect(last.frame).to.equal(75);
    });

    it('an abort kills ffmpeg and rejects with TransientError', async () => {
      const ac = new AbortController();
      // An endless source: only the abort can end it.
      const running = run('ffmpeg', ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2', '-f', 'null', '-'], { signal: ac.signal });
      setTimeout(() => ac.abort(), 200);
      let err: Error | undefined;
      try {
        await running;
      } catch (e) {
        err = e as Error;
      }
      expect(err?.name).to.equal('TransientError');
      expect(err?.message).to.contain('SIGKILL');
    });
  });

  describe('progressParser', () => {
    it('emits one report per block, with out_time in seconds and the end flag', () => {
      const seen: FfmpegProgress[] = [];
      const feed = progressParser((p) => seen.push(p));
      feed('frame=10\nout_time_us=400000\nspeed=2.5x\nprogress=cont');
      feed('inue\nframe=20\nout_time_us=800000\nspeed=N/A\nprogress=end\n');
      expect(seen).to.deep.equal([
        { frame: 10, outTimeSeconds: 0.4, speed: 2.5, done: false },
        { frame: 20, outTimeSeconds: 0.8, speed: undefined, done: true },
      ]);
    });
  });

  describe('probing', () => {
    it('reads streams, rates and sizes', async () => {
      const p = await probe(clip);
      const v = mainVideoStream(p)!;
      const a = mainAudioStream(p)!;
      expect([v.width, v.height, parseRational(v.r_frame_rate)]).to.deep.equal([320, 180, 25]);
      expect([a.sample_rate, a.channels]).to.deep.equal([44100, 1]);
    });

    it('lists every video packet and the keyframes with their packet index', async () => {
      const p = await probe(clip);
      const packets = await videoPackets(clip, mainVideoStream(p)!.index);
      expect(packets.count).to.equal(75);
      expect(packets.keyframes.map((k) => k.index)).to.deep.equal([0, 25, 50]);
      expect(packets.keyframes.map((k) => k.time)).to.deep.equal([0, 1, 2]);
      expect(packets.endTime - packets.startTime).to.be.closeTo(3, 1e-6);
      expect(packets.errors).to.deep.equal([]);
    });

    it('tells shown frames from those an edit list discards', async () => {
      // The 3 s clip trimmed at 1.4 s without re-encoding: packets from the keyframe at 1.0 s stay in
      // the file (50), the first 10 (1.0-1.36 s) flagged discard; 1.6 s = 40 frames are shown.
      const trimmed = join(dir, 'trimmed.mp4');
      await trimByEditList(clip, trimmed, 1.4);
      const packets = await videoPackets(trimmed, mainVideoStream(await probe(trimmed))!.index);
      expect(packets.count).to.equal(50);
      expect(packets.shown.count).to.equal(40);
      expect(packets.discarded).to.deep.equal({ leading: 10, trailing: 0, inside: 0 });
      expect(packets.shown.endTime - packets.shown.startTime).to.be.closeTo(1.6, 1e-6);
    });

    it('counts packets per stream type', async () => {
      const counts = await countPackets(clip);
      expect(counts.video).to.equal(75);
      // 3 s at 44.1 kHz in 1024-sample AAC frames: at least 130 packets.
      expect(counts.audio).to.be.at.least(Math.ceil((3 * 44100) / 1024));
    });

    it('decodes cleanly and counts audio samples within one AAC frame of the truth', async () => {
      const check = await decodeCheck(clip);
      expect(check.errors).to.deep.equal([]);
      expect(check.audio?.sampleRate).to.equal(44100);
      expect(Math.abs(check.audio!.samples - 3 * 44100)).to.be.at.most(1024);
    });

    it('decodeCheck with video: false counts the audio without decoding the video', async () => {
      const check = await decodeCheck(clip, { video: false });
      expect(check.errors).to.deep.equal([]);
      expect(Math.abs(check.audio!.samples - 3 * 44100)).to.be.at.most(1024);
    });

    it('decodeCheck reports corruption in the middle of a file', async () => {
      const { readFile } = await import('node:fs/promises');
      const bytes = await readFile(clip);
      // Overwrite a run of bytes in the media data (past the header) with garbage.
      const broken = Buffer.from(bytes);
      for (let i = Math.floor(bytes.length * 0.3); i < Math.floor(bytes.length * 0.3) + 4000; i++) broken[i] = (i * 7919) & 0xff;
      const path = join(dir, 'broken.mp4');
      await writeFile(path, broken);
      const check = await decodeCheck(path);
      expect(check.errors.length).to.be.greaterThan(0);
    });

    it('probe of a non-media file throws FfmpegFailed', async () => {
      const path = join(dir, 'notes.mp4');
      await writeFile(path, 'not a video');
      let err: unknown;
      try {
        await probe(path);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(FfmpegFailed);
      expect((err as FfmpegFailed).message).to.contain('Invalid data found');
    });
  });
});
