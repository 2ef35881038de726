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

  it('allows the duration to differ by one frame, not more', () => {
    expect(verifyOutput(expected, { ...good, durationSeconds: 4.04 }).ok).to.equal(true);
    expect(verifyOutput(expected, { ...good, durationSeconds: 4.05 }).ok).to.equal(false);
  });

  it('allows 1024 audio samples of difference, not 1025', () => {
    expect(verifyOutput(expected, { ...good, audio: { samples: 193024, sampleRate: 48000 } }).ok).to.equal(true);
    expect(verifyOutput(expected, { ...good, audio: { samples: 193025, sampleRate: 48000 } }).ok).to.equal(false);
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
