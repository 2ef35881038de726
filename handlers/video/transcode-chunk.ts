// Lambda: transcodes one chunk and its audio segment (one Distributed Map item), counted as one of the job's units.
import { z } from 'zod';
import { jobIdSchema } from '../lib/validation';
import { defineTask } from '../lib/task';
import { encodeChunk, type ChunkResult } from './encode-chunk';
import { videoKeys } from './keys';
import { chunkOf, jobFingerprintOf, readManifest } from './manifest';

const eventSchema = z.object({ jobId: jobIdSchema, index: z.number().int().min(0) });

export const chunkTaskId = (index: number) => `chunk-${String(index).padStart(5, '0')}`;

export const handler = defineTask({
  name: 'video-transcode-chunk',
  event: eventSchema,
  load: async ({ jobId, index }) => {
    const manifest = await readManifest(jobId);
    return { manifest, chunk: chunkOf(manifest, index) };
  },
  progress: { taskId: ({ index }) => chunkTaskId(index), units: 1 },
  work: async ({ loaded, deadline, log, metrics }) => {
    const result = await encodeChunk(loaded.manifest, loaded.chunk, deadline, log);
    metrics.addWork('FramesEncoded', result.frames);
    return result;
  },
  once: {
    marker: ({ jobId, index }) => videoKeys.encodedChunkMarker(jobId, index),
    fingerprint: ({ loaded }) => jobFingerprintOf(loaded.manifest),
    outputs: (r) => [r.key, ...(r.audioKey ? [r.audioKey] : [])],
  },
  respond: (r, { reused }): ChunkResult & { reused: boolean } => ({ ...r, reused }),
});
