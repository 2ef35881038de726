// The plan probe writes to S3 and every later task reads: source facts, normalized settings and
// the chunk list. Kept in S3, not in the state payload, so a long video never nears 256 KiB.
import { z } from 'zod';
import { putJson } from '../lib/s3';
import { readStoredJson } from '../lib/stored-json';
import { jobFingerprint, type JobFingerprint } from '../lib/job-fingerprint';
import { InvalidInput } from '../lib/errors';
import { videoJobSchema } from './job-input';
import { videoKeys } from './keys';

const chunkSchema = z.object({
  index: z.number().int().min(0),
  startFrame: z.number().int().min(0),
  /** Packets (frames) in the chunk file, discarded ones included. */
  frameCount: z.number().int().min(1),
  /** Edit-list frames to decode but drop: at the start of the first chunk, at the end of the last. */
  skipLeading: z.number().int().min(0),
  skipTrailing: z.number().int().min(0),
  /** frameCount - skipLeading - skipTrailing: what its transcode must produce. */
  outputFrames: z.number().int().min(1),
  startTime: z.number(),
  endTime: z.number(),
  estimatedSeconds: z.number(),
  /** The chunk's audio segment (samples of the decoded track, see audio-plan.ts); null without audio in its span. */
  audio: z.object({ startSample: z.number().int().min(0), endSample: z.number().int().min(1), final: z.boolean() }).nullable(),
});

/** Bumped when the manifest changes shape: 3 added the audio segments. */
export const MANIFEST_VERSION = 3;

export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  jobId: z.string(),
  /** The execution input as probe normalized it (defaults applied): every later task reads its settings here. */
  job: videoJobSchema,
  /** The input object as probed: with `job`, what every task's marker records (see jobFingerprintOf). */
  inputObject: z.object({ key: z.string(), size: z.number(), etag: z.string() }),
  source: z.object({
    format: z.string(),
    video: z.object({
      streamIndex: z.number().int(),
      codec: z.string(),
      /** Coded size; the displayed size swaps them when rotation is 90 or 270. */
      width: z.number().int(),
      height: z.number().int(),
      /** Clockwise degrees a player turns the picture (phone video); the output is turned for real. */
      rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]),
      /** As ffprobe states it, e.g. "30000/1001". */
      frameRate: z.string(),
      fps: z.number(),
      /** Frames shown (what the output must have); packets flagged discard by an edit list excluded. */
      frameCount: z.number().int(),
      /** Every packet of the stream, discarded ones included (what split cuts). */
      packetCount: z.number().int(),
      /** Span of the shown frames. */
      startTime: z.number(),
      endTime: z.number(),
      durationSeconds: z.number(),
    }),
    audio: z
      .object({
        streamIndex: z.number().int(),
        codec: z.string(),
        sampleRate: z.number().int(),
        channels: z.number().int(),
        /** Decoded samples per channel. */
        samples: z.number().int(),
        /** Timestamp of the first decoded sample, in samples, on ffmpeg's timeline (-copyts): where segment cuts are counted from. */
        startPts: z.number().int(),
        /** The stream's time base as ffprobe states it ("1/48000"): whether its timestamps name samples exactly. */
        timeBase: z.string(),
      })
      .nullable(),
  }),
  output: z.object({ width: z.number().int(), height: z.number().int() }),
  plan: z.object({
    targetChunkSeconds: z.number(),
    targetSource: z.enum(['auto', 'input']),
    costPerSourceSecond: z.number(),
    transcodeTimeoutSeconds: z.number(),
  }),
  chunks: z.array(chunkSchema).min(1),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestChunk = z.infer<typeof chunkSchema>;

/** One item of the Distributed Map's ItemReader array: only what identifies the chunk. */
export interface ChunkItem {
  index: number;
}

/** The job every task of this manifest works for: what its completion markers record. */
export function jobFingerprintOf(m: Manifest): JobFingerprint {
  return jobFingerprint(m.job, [m.inputObject]);
}

export async function readManifest(jobId: string): Promise<Manifest> {
  return readStoredJson(videoKeys.manifest(jobId), manifestSchema, { missing: `No manifest for job ${jobId}: run the probe task first`, name: `Manifest of job ${jobId}` });
}

/** The chunk list for the Map first, then the manifest: the manifest's presence means both are complete. */
export async function writeManifest(m: Manifest): Promise<void> {
  const items: ChunkItem[] = m.chunks.map((c) => ({ index: c.index }));
  await putJson(videoKeys.chunkItems(m.jobId), items);
  await putJson(videoKeys.manifest(m.jobId), m);
}

export function chunkOf(m: Manifest, index: number): ManifestChunk {
  const chunk = m.chunks[index];
  if (!chunk || chunk.index !== index) {
    throw new InvalidInput(`Chunk ${index} is not in the manifest of job ${m.jobId} (it has ${m.chunks.length})`, { field: 'index' });
  }
  return chunk;
}
