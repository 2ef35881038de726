// THE function table. Infra creates one Lambda per entry; the local runtime runs the same entries.
// Pipelines add their functions here; nothing else lists functions.
import type { FunctionSpec } from './catalog-types';
import { keyPatterns } from './lib/storage-layout';
import { videoKeys } from './video/keys';
import { TMP_LIMIT_ENV } from './video/workdir';

// Video: /tmp sizes are what each step holds at once (see README.md, "The video pipeline"); the ffmpeg layer puts
// ffmpeg/ffprobe in /opt/bin. 3008 MB is the most a fresh AWS account may configure, ~1.7 vCPU.
const videoFunction = (spec: Omit<FunctionSpec, 'layers' | 'env'>): FunctionSpec => ({
  ...spec,
  layers: ['ffmpeg'],
  env: { [TMP_LIMIT_ENV]: String(spec.ephemeralStorageMb) },
});

const videoFunctions: FunctionSpec[] = [
  videoFunction({
    name: 'VideoProbe',
    entry: 'handlers/video/probe.ts',
    description: 'Validates a video job and its input, reads frames/keyframes/audio, plans keyframe-aligned chunks, writes the manifest',
    memoryMb: 1769,
    timeoutSeconds: 900,
    // Holds the whole source.
    ephemeralStorageMb: 10240,
    s3: { read: [keyPatterns.input, keyPatterns.work], write: [keyPatterns.work] },
    table: 'write',
  }),
  videoFunction({
    name: 'VideoSplit',
    entry: 'handlers/video/split.ts',
    description: 'Cuts the source into video-only chunks at the planned keyframes (stream copy) and extracts its audio track',
    memoryMb: 3008,
    timeoutSeconds: 900,
    // Source plus its chunks: about twice the source.
    ephemeralStorageMb: 10240,
    s3: { read: [keyPatterns.input, keyPatterns.work], write: [keyPatterns.work] },
    table: 'write',
  }),
  videoFunction({
    name: 'VideoTranscodeChunk',
    entry: 'handlers/video/transcode-chunk.ts',
    description: 'Transcodes one video-only chunk to H.264 at the requested height, timestamps preserved',
    memoryMb: 3008,
    timeoutSeconds: 900,
    ephemeralStorageMb: 4096,
    s3: { read: [keyPatterns.work], write: [keyPatterns.work] },
    table: 'write',
  }),
  videoFunction({
    name: 'VideoTranscodeAudio',
    entry: 'handlers/video/transcode-audio.ts',
    description: 'Transcodes the whole audio track once to AAC (skipped when the source has none)',
    memoryMb: 1769,
    timeoutSeconds: 900,
    ephemeralStorageMb: 4096,
    s3: { read: [keyPatterns.work], write: [keyPatterns.work] },
    table: 'write',
  }),
  videoFunction({
    name: 'VideoMerge',
    entry: 'handlers/video/merge.ts',
    description: 'Concatenates the transcoded chunks, muxes the audio, verifies against the source and publishes the output',
    memoryMb: 3008,
    timeoutSeconds: 900,
    // Every encoded chunk plus the merged output.
    ephemeralStorageMb: 10240,
    // Reads under output/ exactly what it checks before redoing work: its marker (the verification
    // record) and the published video. HeadObject needs s3:GetObject: without it S3 answers 403, not 404.
    s3: {
      read: [keyPatterns.work, videoKeys.verification('*'), videoKeys.output('*')],
      write: [keyPatterns.work, keyPatterns.output],
    },
    table: 'write',
  }),
  {
    name: 'VideoRecordFailure',
    entry: 'handlers/video/record-failure.ts',
    description: "Marks the video job FAILED in the progress table with the execution's Error and Cause",
    memoryMb: 256,
    timeoutSeconds: 30,
    ephemeralStorageMb: 512,
    layers: [],
    s3: { read: [], write: [] },
    table: 'write',
  },
];

export const catalog: readonly FunctionSpec[] = [...videoFunctions];

export function findFunction(name: string): FunctionSpec {
  const spec = catalog.find((f) => f.name === name);
  if (!spec) {
    const known = catalog.map((f) => f.name).join(', ') || '(none)';
    throw new Error(`Unknown function "${name}". Known functions: ${known}`);
  }
  return spec;
}
