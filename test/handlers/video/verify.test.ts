import { expect } from 'chai';
import { verifyOutput, type Expected, type Measured } from '../../../handlers/video/verify';

const expected: Expected = { frameCount: 100, durationSeconds: 4, fps: 25, audio: { samples: 192000, sampleRate: 48000 } };
const good: Measured = { frameCount: 100, durationSeconds: 4, audio: { samples: 192512, sampleRate: 48000 }, decodeErrors: [] };

describe('video verify', () => {
  it('accepts an exact match with AAC padding under one frame of samples', () => {
    const v = verifyOutput(expected, good);
    expect(v.ok).to.equal(true);
    expect(v.problems).to.deep.equal([]);
    expect(v.audioSamples).to.deep.equal({ expected: 192000, actual: 192512, tolerance: 1024 });
  });

  it('rejects one frame missing', () => {
    const v = verifyOutput(expected, { ...good, frameCount: 99 });
    expect(v.ok).to.equal(false);
    expect(v.problems[0]).to.contain('frame count 99 != source 100');
  });

  describe('duration: within one frame of the source, either way', () => {
    const frame = 1 / 25; // the source's fps, above
    const justOver = frame + 0.0001;
    const justUnder = frame - 0.0001;
    it('rejects an output longer than the source by just over one frame', () => {
      const v = verifyOutput(expected, { ...good, durationSeconds: 4 + justOver });
      expect(v.ok).to.equal(false);
      expect(v.problems).to.deep.equal(['duration 4.040100 s is more than one frame from 4.000000 s']);
    });
    it('rejects an output shorter than the source by just over one frame', () => {
      const v = verifyOutput(expected, { ...good, durationSeconds: 4 - justOver });
      expect(v.ok).to.equal(false);
      expect(v.problems).to.deep.equal(['duration 3.959900 s is more than one frame from 4.000000 s']);
    });
    it('accepts an output longer or shorter than the source by just under one frame', () => {
      expect(verifyOutput(expected, { ...good, durationSeconds: 4 + justUnder }).problems).to.deep.equal([]);
      expect(verifyOutput(expected, { ...good, durationSeconds: 4 - justUnder }).problems).to.deep.equal([]);
    });
  });

  describe('audio: within one AAC frame (1024 samples) of the source, either way', () => {
    const source = 192000; // 4 s at 48 kHz, above
    const aacFrame = 1024;
    const withSamples = (samples: number): Measured => ({ ...good, audio: { samples, sampleRate: 48000 } });
    it('rejects more samples than the source by just over 1024', () => {
      const v = verifyOutput(expected, withSamples(source + aacFrame + 1));
      expect(v.ok).to.equal(false);
      expect(v.problems).to.deep.equal(['audio samples 193025 differ from source 192000 by more than 1024']);
    });
    it('rejects fewer samples than the source by just over 1024', () => {
      const v = verifyOutput(expected, withSamples(source - aacFrame - 1));
      expect(v.ok).to.equal(false);
      expect(v.problems).to.deep.equal(['audio samples 190975 differ from source 192000 by more than 1024']);
    });
    it('accepts exactly 1024 samples more or fewer than the source', () => {
      expect(verifyOutput(expected, withSamples(source + aacFrame)).problems).to.deep.equal([]);
      expect(verifyOutput(expected, withSamples(source - aacFrame)).problems).to.deep.equal([]);
    });
  });

  it('compares samples at the source rate when the output was resampled', () => {
    // 4 s at 44.1 kHz in the output is 192000 at 48 kHz.
    expect(verifyOutput(expected, { ...good, audio: { samples: 176400, sampleRate: 44100 } }).ok).to.equal(true);
  });

  it('rejects lost or invented audio and decode errors', () => {
    expect(verifyOutput(expected, { ...good, audio: null }).problems).to.deep.equal(['source has audio but the output has none']);
    expect(verifyOutput({ ...expected, audio: null }, good).problems).to.deep.equal(['source has no audio but the output has some']);
    expect(verifyOutput(expected, { ...good, decodeErrors: ['Invalid NAL unit size'] }).problems[0]).to.contain('Invalid NAL unit size');
  });
});
