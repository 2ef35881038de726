import { expect } from 'chai';
import {
  assertChunksFit,
  chunkTarget,
  costPerSourceSecond,
  DECODE_MPX_PER_SECOND,
  ENCODE_MPX_PER_SECOND,
  MIN_AUTO_CHUNK_WORK_SECONDS,
  outputWidthFor,
  planChunks,
  type Keyframe,
  type TargetInput,
} from '../../../handlers/video/chunk-plan';

/** Keyframes every `gop` frames at `fps`, for `frames` frames. */
function regularKeyframes(frames: number, gop: number, fps: number): Keyframe[] {
  const out: Keyframe[] = [];
  for (let i = 0; i < frames; i += gop) out.push({ index: i, time: i / fps });
  return out;
}

const base: TargetInput = {
  fps: 30,
  sourceWidth: 1280,
  sourceHeight: 720,
  outputWidth: 640,
  outputHeight: 360,
  preset: 'veryfast',
  durationSeconds: 3600,
  timeoutSeconds: 900,
  maxConcurrency: 10,
  chunkSeconds: null,
};

describe('video chunk-plan', () => {
  describe('planChunks', () => {
    it('cuts at the first keyframe at or after each target', () => {
      // 10 s at 25 fps, keyframe every second, 3 s chunks: cuts at 0, 3, 6 and a 4 s tail (7..10 would leave 1 s < 1.5 s).
      const chunks = planChunks(regularKeyframes(250, 25, 25), 250, { startTime: 0, endTime: 10 }, 3);
      expect(chunks.map((c) => [c.startFrame, c.frameCount])).to.deep.equal([
        [0, 75],
        [75, 75],
        [150, 100],
      ]);
      expect(chunks.map((c) => [c.startTime, c.endTime])).to.deep.equal([
        [0, 3],
        [3, 6],
        [6, 10],
      ]);
    });

    it('keeps a tail of at least half the target as its own chunk', () => {
      const chunks = planChunks(regularKeyframes(200, 25, 25), 200, { startTime: 0, endTime: 8 }, 3);
      // cuts 0, 3, 6; tail 6..8 = 2 s >= 1.5 s stays.
      expect(chunks.map((c) => c.frameCount)).to.deep.equal([75, 75, 50]);
    });

    it('a GOP longer than the target gives one chunk per GOP, never a cut between keyframes', () => {
      // Keyframes every 4 s, target 1 s.
      const kf = regularKeyframes(300, 100, 25);
      const chunks = planChunks(kf, 300, { startTime: 0, endTime: 12 }, 1);
      expect(chunks.map((c) => c.startFrame)).to.deep.equal([0, 100, 200]);
      const keyframeIndexes = new Set(kf.map((k) => k.index));
      for (const c of chunks) expect(keyframeIndexes.has(c.startFrame)).to.equal(true);
    });

    it('uses the packet index, not the time, for frames (B-frame reordering makes them differ)', () => {
      const kf: Keyframe[] = [
        { index: 0, time: 0.08 },
        { index: 30, time: 1.08 },
        { index: 60, time: 2.08 },
      ];
      const chunks = planChunks(kf, 90, { startTime: 0, endTime: 3.08 }, 1);
      expect(chunks.map((c) => c.startFrame)).to.deep.equal([0, 30, 60]);
      expect(chunks.reduce((n, c) => n + c.frameCount, 0)).to.equal(90);
    });

    it('a target equal to the keyframe spacing cuts at every keyframe despite float noise', () => {
      // 29.97 fps: keyframe times like 1.001, 2.002 printed with rounding.
      const kf: Keyframe[] = [0, 1.001, 2.002, 3.003].map((t, i) => ({ index: i * 30, time: t }));
      const chunks = planChunks(kf, 120, { startTime: 0, endTime: 4.004 }, 1.001);
      expect(chunks).to.have.length(4);
    });

    it('one chunk when the only keyframe is the first frame', () => {
      const chunks = planChunks([{ index: 0, time: 0 }], 40, { startTime: 0, endTime: 1.6 }, 0.5);
      expect(chunks).to.deep.equal([{ index: 0, startFrame: 0, frameCount: 40, startTime: 0, endTime: 1.6 }]);
    });
  });

  describe('cost model', () => {
    it('adds decode and encode cost per frame', () => {
      const expected = 30 * ((1280 * 720) / (DECODE_MPX_PER_SECOND * 1e6) + (640 * 360) / (ENCODE_MPX_PER_SECOND.veryfast * 1e6));
      expect(costPerSourceSecond(base)).to.be.closeTo(expected, 1e-12);
    });

    it('slower presets cost more', () => {
      expect(costPerSourceSecond({ ...base, preset: 'slow' })).to.be.greaterThan(costPerSourceSecond(base));
    });

    it('output width keeps the aspect ratio and is even', () => {
      expect(outputWidthFor(1920, 1080, 360)).to.equal(640);
      expect(outputWidthFor(641, 361, 240)).to.equal(426);
      expect(outputWidthFor(320, 180, 120)).to.equal(214);
    });
  });

  describe('chunkTarget', () => {
    it('automatic: spreads the video over twice the concurrency when that fits the budget', () => {
      // 3600 s / 20 = 180 s; cost(720p→360p veryfast) = 30*(0.0092+0.00576) = 0.449 → budget 300/0.449 = 668 s.
      const t = chunkTarget(base);
      expect(t.source).to.equal('auto');
      expect(t.targetSeconds).to.be.closeTo(180, 1e-9);
    });

    it('automatic: never longer than a third of the timeout by the estimate', () => {
      const t = chunkTarget({ ...base, maxConcurrency: 1, preset: 'veryslow' });
      expect(t.targetSeconds * t.costPerSourceSecond).to.be.closeTo(300, 1e-6);
    });

    it('automatic: a short video still gets chunks with the minimum of estimated work', () => {
      const t = chunkTarget({ ...base, durationSeconds: 120 });
      // 120 s / 20 = 6 s would be only ~2.7 s of estimated work per chunk.
      expect(t.targetSeconds * t.costPerSourceSecond).to.be.closeTo(MIN_AUTO_CHUNK_WORK_SECONDS, 1e-9);
      expect(t.targetSeconds).to.be.greaterThan(6);
    });

    it('honours chunkSeconds from the input', () => {
      const t = chunkTarget({ ...base, chunkSeconds: 7 });
      expect([t.source, t.targetSeconds]).to.deep.equal(['input', 7]);
    });

    it('refuses a chunkSeconds estimated past 80% of the timeout, naming the field', () => {
      const cost = costPerSourceSecond(base);
      const tooLong = Math.ceil((900 * 0.8) / cost) + 1;
      expect(() => chunkTarget({ ...base, chunkSeconds: tooLong })).to.throw(/chunkSeconds/).with.property('name', 'InvalidInput');
    });
  });

  describe('assertChunksFit', () => {
    it('refuses a plan whose keyframe spacing forces a chunk past the limit', () => {
      const target = chunkTarget({ ...base, chunkSeconds: 10 });
      const gopSeconds = Math.ceil(target.maxSeconds) + 10;
      const chunks = planChunks([{ index: 0, time: 0 }], gopSeconds * 30, { startTime: 0, endTime: gopSeconds }, 10);
      expect(() => assertChunksFit(chunks, target, 900)).to.throw(/more frequent keyframes/).with.property('name', 'InvalidInput');
    });

    it('accepts chunks within the limit', () => {
      const target = chunkTarget({ ...base, chunkSeconds: 10 });
      const chunks = planChunks(regularKeyframes(900, 60, 30), 900, { startTime: 0, endTime: 30 }, 10);
      expect(() => assertChunksFit(chunks, target, 900)).to.not.throw();
    });
  });
});
