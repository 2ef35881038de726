// The transcode-chunk command line: what must be there for frame-exact, player-friendly chunks.
import { expect } from 'chai';
import { encodeArgs, encoderThreads, FFMPEG_THREADS_ENV, keepFilter } from '../../../handlers/video/encode-chunk';
import type { Manifest, ManifestChunk } from '../../../handlers/video/manifest';

const chunk: ManifestChunk = { index: 0, startFrame: 0, frameCount: 50, skipLeading: 0, skipTrailing: 0, outputFrames: 50, startTime: 0, endTime: 2, estimatedSeconds: 1, audio: null };

function manifest(rotation: 0 | 90 | 180 | 270): Manifest {
  return {
    version: 3,
    jobId: 'j',
    job: {
      jobId: 'j',
      input: { key: 'jobs/j/input/a.mp4' },
      output: { height: 360, crf: 23, preset: 'veryfast', audioBitrateKbps: 128 },
      chunkSeconds: null,
      maxConcurrency: 10,
    },
    inputObject: { key: 'jobs/j/input/a.mp4', size: 1, etag: '"e"' },
    source: {
      format: 'mov',
      video: { streamIndex: 0, codec: 'h264', width: 640, height: 360, rotation, frameRate: '25', fps: 25, frameCount: 50, packetCount: 50, startTime: 0, endTime: 2, durationSeconds: 2 },
      audio: null,
    },
    output: { width: 640, height: 360 },
    plan: { targetChunkSeconds: 2, targetSource: 'auto', costPerSourceSecond: 0.1, transcodeTimeoutSeconds: 900 },
    chunks: [chunk],
  };
}

const valueAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('video encode-chunk arguments', () => {
  it('keeps timestamps, encodes H.264 4:2:0 with the requested CRF and preset, at an even width', () => {
    const args = encodeArgs(manifest(0), chunk, 'in.mkv', 'out.mp4');
    expect(valueAfter(args, '-vsync')).to.equal('passthrough');
    expect([valueAfter(args, '-c:v'), valueAfter(args, '-preset'), valueAfter(args, '-crf'), valueAfter(args, '-pix_fmt')]).to.deep.equal([
      'libx264',
      'veryfast',
      '23',
      'yuv420p',
    ]);
    expect(valueAfter(args, '-vf')).to.equal('scale=-2:360');
    expect(args).to.include('-an');
  });

  it('turns rotated video itself, before scaling, with autorotate off', () => {
    expect(valueAfter(encodeArgs(manifest(90), chunk, 'i', 'o'), '-vf')).to.equal('transpose=clock,scale=-2:360');
    expect(valueAfter(encodeArgs(manifest(270), chunk, 'i', 'o'), '-vf')).to.equal('transpose=cclock,scale=-2:360');
    expect(valueAfter(encodeArgs(manifest(180), chunk, 'i', 'o'), '-vf')).to.equal('hflip,vflip,scale=-2:360');
    const args = encodeArgs(manifest(90), chunk, 'i', 'o');
    expect(args.indexOf('-noautorotate')).to.be.lessThan(args.indexOf('-i'));
  });

  it('drops edit-list frames by display index, escaping the commas for the filtergraph', () => {
    expect(keepFilter(chunk)).to.equal(undefined);
    expect(keepFilter({ ...chunk, skipLeading: 10, outputFrames: 40 })).to.equal('select=between(n\\,10\\,49)');
    expect(keepFilter({ ...chunk, skipTrailing: 5, outputFrames: 45 })).to.equal('select=between(n\\,0\\,44)');
  });

  it('encoder threads come from the environment only when set, and must be a positive integer', () => {
    expect(encoderThreads({})).to.deep.equal([]);
    expect(encoderThreads({ [FFMPEG_THREADS_ENV]: '1' })).to.deep.equal(['-threads', '1']);
    expect(() => encoderThreads({ [FFMPEG_THREADS_ENV]: 'two' })).to.throw(FFMPEG_THREADS_ENV);
    expect(() => encoderThreads({ [FFMPEG_THREADS_ENV]: '0' })).to.throw(FFMPEG_THREADS_ENV);
  });
});
