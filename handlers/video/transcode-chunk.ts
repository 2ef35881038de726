// Lambda: transcodes one chunk (one Distributed Map item) and records the task in the progress table.
import { z } from 'zod';
import { createLogger, withInvocation } from '../lib/logger';
import { runOnce } from '../lib/idempotency';
import { recordTaskDone, recordTaskStart } from '../lib/progress';
import { jobIdSchema, parseEvent } from '../lib/validation';
import type { VideoContext } from './context';
import { encodeChunk, type ChunkResult } from './encode-chunk';
import { videoKeys } from './keys';
import { chunkOf, readManifest } from './manifest';

const logger = createLogger('video-transcode-chunk');

const eventSchema = z.object({ jobId: jobIdSchema, index: z.number().int().min(0) });

export const chunkTaskId = (index: number) => `chunk-${String(index).padStart(5, '0')}`;

export const handler = async (event: unknown, context: VideoContext): Promise<ChunkResult & { reused: boolean }> => {
  const { jobId, index } = parseEvent(eventSchema, event);
  const log = withInvocation(logger, { jobId, context });
  const manifest = await readManifest(jobId);
  const chunk = chunkOf(manifest, index);
  const taskId = chunkTaskId(index);
  const started = Date.now();
  await recordTaskStart(jobId, taskId);
  const { result, reused } = await runOnce({
    markerKey: videoKeys.encodedChunkMarker(jobId, index),
    work: () => encodeChunk(manifest, chunk, () => context.getRemainingTimeInMillis(), log),
    outputKeys: (r) => [r.key],
  });
  // Counted once however often it runs: the progress table ignores a second "done".
  await recordTaskDone(jobId, taskId, { durationMs: Date.now() - started, units: 1 });
  log.info(reused ? 'reused encoded chunk' : 'encoded chunk', { chunk: index, frames: result.frames, encodeSeconds: result.encodeSeconds });
  return { ...result, reused };
};
