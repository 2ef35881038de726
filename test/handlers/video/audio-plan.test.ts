// Where the audio track is cut: on the 1024-sample grid, at the frame boundary nearest each chunk's
// start, and the segments tile the track exactly. Pure planning; the encodes are tested in audio-segments.
import { expect } from 'chai';
import { AAC_FRAME_SAMPLES, planAudioSegments, sampleExactTimeBase, type AudioSegment } from '../../../handlers/video/audio-plan';

/** The segments that exist, in order, as [start, end) pairs. */
const spans = (segments: (AudioSegment | null)[]) => segments.filter((s): s is AudioSegment => s !== null).map((s) => [s.startSample, s.endSample]);

describe('video audio plan', () => {
  it('cuts at the frame boundary nearest each chunk start, on one grid, and tiles the whole track', () => {
    // 10 s at 48 kHz, audio from the first frame on; chunks every 2.5 s.
    const segments = planAudioSegments([0, 2.5, 5, 7.5], { samples: 480_000, sampleRate: 48_000, startTime: 0 });
    // 2.5 s = 120,000 samples = 117.19 frames → frame 117.
    expect(spans(segments)).to.deep.equal([
      [0, 117 * 1024],
      [117 * 1024, 234 * 1024],
      [234 * 1024, 352 * 1024],
      [352 * 1024, 480_000],
    ]);
    expect(segments.map((s) => s?.final)).to.deep.equal([false, false, false, true]);
    for (const s of segments) expect(s!.startSample % AAC_FRAME_SAMPLES).to.equal(0);
  });

  it('counts from the first audio sample: late audio leaves the first chunks without a segment', () => {
    // Audio starts 3 s into the video: chunk 0 (0-2 s) has none, chunk 1 (2-4 s) starts it.
    const segments = planAudioSegments([0, 2, 4, 6], { samples: 240_000, sampleRate: 48_000, startTime: 3 });
    expect(segments[0]).to.equal(null);
    // Chunk 2 (4 s) is 1 s into the audio: 46.875 frames → 47; chunk 3 (6 s), 3 s: 140.6 → 141.
    expect(spans(segments)).to.deep.equal([
      [0, 47 * 1024],
      [47 * 1024, 141 * 1024],
      [141 * 1024, 240_000],
    ]);
  });

  it('audio that ends before the video: cuts stop at the last whole frame, a chunk past it gets no segment', () => {
    // 70,000 samples = 68 whole frames and 368 samples; chunk 2 (2 s) would cut past the end.
    const segments = planAudioSegments([0, 1, 2, 3], { samples: 70_000, sampleRate: 48_000, startTime: 0 });
    expect(spans(segments)).to.deep.equal([
      [0, 47 * 1024],
      [47 * 1024, 68 * 1024],
      [68 * 1024, 70_000],
    ]);
    expect(segments[2]).to.equal(null);
    expect(segments.map((s) => s?.final)).to.deep.equal([false, false, undefined, true]);
  });

  it('one chunk takes the whole track', () => {
    expect(planAudioSegments([0], { samples: 44_100, sampleRate: 44_100, startTime: 0 })).to.deep.equal([{ startSample: 0, endSample: 44_100, final: true }]);
  });

  it('a track whose copy cannot be cut exactly is one segment, in the first chunk', () => {
    const segments = planAudioSegments([0, 2, 4], { samples: 288_000, sampleRate: 48_000, startTime: 0 }, false);
    expect(segments).to.deep.equal([{ startSample: 0, endSample: 288_000, final: true }, null, null]);
  });

  it('timestamps name samples exactly in a time base of one sample or a whole fraction of one', () => {
    expect(sampleExactTimeBase('1/48000', 48000)).to.equal(true);
    expect(sampleExactTimeBase('1/96000', 48000)).to.equal(true);
    // Matroska's milliseconds, MPEG-TS's 90 kHz, nothing stated.
    expect(sampleExactTimeBase('1/1000', 48000)).to.equal(false);
    expect(sampleExactTimeBase('1/90000', 48000)).to.equal(false);
    expect(sampleExactTimeBase(undefined, 44100)).to.equal(false);
  });
});
