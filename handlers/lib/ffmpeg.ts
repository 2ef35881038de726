// The ffmpeg toolkit handlers use, in one import: locating the binaries, running them, probing
// and decode checks. Each part lives in its own ffmpeg-*.ts module.
export { binaryPath, type Binary } from './ffmpeg-binaries';
export { FfmpegFailed, progressParser, run, type FfmpegProgress, type RunOptions, type RunResult } from './ffmpeg-run';
export {
  countPackets,
  displayRotation,
  mainAudioStream,
  mainVideoStream,
  parseRational,
  probe,
  videoPackets,
  type ProbeOutput,
  type ProbeStream,
  type VideoPackets,
} from './ffmpeg-probe';
export { countAudioSamples, decodeCheck, type DecodeCheck } from './ffmpeg-decode';
export { audioTimelineOrigin, scanMedia, type AudioScan, type MediaScan } from './ffmpeg-scan';
