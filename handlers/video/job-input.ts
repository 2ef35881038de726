// The video job's input: the Step Functions execution input, validated once by probe. Later tasks
// read the normalized copy from the manifest, so defaults are decided in exactly one place.
import { z } from 'zod';
import { inputUnderJobPrefix, jobIdSchema, s3KeySchema } from '../lib/validation';
import { PRESETS } from './chunk-plan';

// Strict objects: a misspelt option (`chunk_seconds`) is an error, not a silently ignored default.
export const outputSettingsSchema = z.strictObject({
  /** Output height in pixels; the width follows the aspect ratio, rounded to even (H.264 4:2:0 needs even sizes). */
  height: z.number().int().min(16).max(4320).refine((h) => h % 2 === 0, 'must be even (H.264 4:2:0 needs even sizes)').default(360),
  crf: z.number().int().min(0).max(51).default(23),
  preset: z.enum(PRESETS).default('veryfast'),
  audioBitrateKbps: z.number().int().min(32).max(512).default(128),
});

export const videoJobSchema = inputUnderJobPrefix(
  z.strictObject({
    jobId: jobIdSchema,
    input: z.strictObject({ key: s3KeySchema }),
    // prefault, not default: an omitted `output` still goes through the field defaults above.
    output: outputSettingsSchema.prefault({}),
    /** Chunk length in seconds; null or absent lets the cost model choose. */
    chunkSeconds: z.number().positive().max(3600).nullable().default(null),
    maxConcurrency: z.number().int().min(1).max(1000).default(10),
  }));

export type VideoJob = z.infer<typeof videoJobSchema>;
export type OutputSettings = z.infer<typeof outputSettingsSchema>;

/** What every task after probe receives: the job id, everything else is in the manifest. */
export const jobRefSchema = z.object({ jobId: jobIdSchema });
