// The video pipeline, declared once: probe → split → transcode chunks, each with its audio segment
// (Distributed Map) → merge and verify. Its functions, its execution input, how `longhaul run video` builds one from a local file
// and flags, and what a finished job reports. See README.md, "The video pipeline".
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import type { FunctionSpec } from '../catalog-types';
import { keyPatterns } from '../lib/storage-layout';
import { definePipeline, sourceFileUpload } from '../pipeline';
import { videoJobSchema } from './job-input';
import { videoKeys } from './keys';
import { verificationSchema, type Verification } from './verify';

/** The transcode function's timeout: the chunk plan's cost model sizes chunks against it. */
export const TRANSCODE_CHUNK_TIMEOUT_SECONDS = 900;

// /tmp sizes are what each step holds at once (see README.md, "The video pipeline"); the ffmpeg layer
// puts ffmpeg/ffprobe in /opt/bin. 3008 MB is the most a fresh AWS account may configure, ~1.7 vCPU.
const videoFunction = (spec: Omit<FunctionSpec, 'layers'>): FunctionSpec => ({ ...spec, layers: ['ffmpeg'] });

export const videoFunctions: readonly FunctionSpec[] = [
  videoFunction({
    name: 'VideoProbe',
    entry: 'handlers/video/probe.ts',
    description: 'Validates a video job and its input, reads frames/keyframes/audio, plans keyframe-aligned chunks and audio segments, writes the manifest',
    memoryMb: 1769,
    timeoutSeconds: 900,
    // Reads the source in place (HTTP ranges): nothing in /tmp.
    ephemeralStorageMb: 512,
    s3: { read: [keyPatterns.input, keyPatterns.work], write: [keyPatterns.work] },
    table: 'write',
  }),
  videoFunction({
    name: 'VideoSplit',
    entry: 'handlers/video/split.ts',
    description: 'Cuts the source into video-only chunks at the planned keyframes (stream copy) and extracts its audio track',
    memoryMb: 3008,
    timeoutSeconds: 900,
    // Chunks waiting for their upload (at most ~1 GB, see split-source.ts) and the audio track.
    ephemeralStorageMb: 10240,
    s3: { read: [keyPatterns.input, keyPatterns.work], write: [keyPatterns.work] },
    table: 'write',
  }),
  videoFunction({
    name: 'VideoTranscodeChunk',
    entry: 'handlers/video/transcode-chunk.ts',
    description: 'Transcodes one video-only chunk to H.264 at the requested height, timestamps preserved, and its span of audio to AAC frames',
    memoryMb: 3008,
    timeoutSeconds: TRANSCODE_CHUNK_TIMEOUT_SECONDS,
    ephemeralStorageMb: 4096,
    s3: { read: [keyPatterns.work], write: [keyPatterns.work] },
    table: 'write',
  }),
  videoFunction({
    name: 'VideoMerge',
    entry: 'handlers/video/merge.ts',
    description: 'Concatenates the transcoded chunks, joins the audio segments, verifies against the source and publishes the output',
    memoryMb: 3008,
    timeoutSeconds: 900,
    // The merged output and the joined audio (the chunks are read in place).
    ephemeralStorageMb: 10240,
    // Reads under output/ exactly what it checks before redoing work: its marker (the verification
    // record) and the published video. HeadObject needs s3:GetObject: without it S3 answers 403, not 404.
    s3: {
      read: [keyPatterns.work, videoKeys.verification('*'), videoKeys.output('*')],
      write: [keyPatterns.work, keyPatterns.output],
    },
    table: 'write',
  }),
];

/** The state machine's output: Merge's result (asl/video.asl.json, state Merge). */
export const videoOutputSchema = z.object({
  jobId: z.string(),
  outputKey: z.string(),
  verificationKey: z.string(),
  chunks: z.number().int(),
  bytes: z.number(),
  verification: verificationSchema,
  /** True when merge found the job finished before and returned its recorded output. */
  reused: z.boolean(),
});

function verificationLines(v: Verification): string[] {
  return [
    `verification  ${v.ok ? 'PASSED' : `FAILED: ${v.problems.join('; ')}`}`,
    `  frames        ${v.frames.actual} (source ${v.frames.expected})`,
    `  duration      ${v.durationSeconds.actual.toFixed(3)} s (source ${v.durationSeconds.expected.toFixed(3)} s, tolerance ±${v.durationSeconds.tolerance.toFixed(3)} s)`,
    v.audioSamples
      ? `  audio samples ${v.audioSamples.actual} (source ${v.audioSamples.expected}, tolerance ±${v.audioSamples.tolerance})`
      : '  audio         none in the source',
  ];
}

export const videoPipeline = definePipeline({
  name: 'video',
  description: 'transcode a video in parallel chunks, frame- and sample-exact',
  asl: 'asl/video.asl.json',
  itemReaderKeys: { TranscodeChunks: videoKeys.chunkItems('*') },
  functions: videoFunctions,
  job: videoJobSchema,
  output: videoOutputSchema,
  units: { name: 'chunk', functionName: 'VideoTranscodeChunk' },
  cli: {
    uploads: [sourceFileUpload('Source video (any container ffprobe reads). Required.', '.mp4', 'video/mp4')],
    flags: [
      { name: 'height', field: ['output', 'height'], type: 'integer', help: 'Output height in pixels, even.' },
      { name: 'crf', field: ['output', 'crf'], type: 'integer', help: 'x264 constant rate factor 0-51.' },
      { name: 'preset', field: ['output', 'preset'], type: 'string', help: 'x264 preset (ultrafast ... veryslow).' },
      { name: 'audio-bitrate', field: ['output', 'audioBitrateKbps'], type: 'integer', help: 'AAC bitrate in kbit/s.' },
      { name: 'chunk-seconds', field: ['chunkSeconds'], type: 'number', help: "Chunk length; default: planned from the transcode function's timeout." },
      { name: 'max-concurrency', field: ['maxConcurrency'], type: 'integer', help: "Chunks transcoded at once (the Map's MaxConcurrency)." },
    ],
    outputHelp: 'Where to write the transcoded video. Default .longhaul/out/<name>-<height>p.mp4',
    defaultOutput: (job, inputs) => {
      const source = inputs.input ?? 'video';
      return join('.longhaul/out', `${basename(source, extname(source))}-${job.output.height}p.mp4`);
    },
    outputFiles: (output, target) => [{ key: output.outputKey, path: target }],
  },
  summarize: (output) => ({
    facts: [['chunks', `${output.chunks}${output.reused ? ' (job had finished before: output reused, nothing transcoded)' : ''}`]],
    details: verificationLines(output.verification),
    ok: output.verification.ok,
  }),
});
