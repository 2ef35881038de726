// Lambda: one byte range of a CSV input, read once: its quote count and where its first row starts for
// either quote state it may be entered in (csv-boundaries.ts), streamed (a range of any size in a chunk's
// memory). Many run in parallel; none reads the file.
import { z } from 'zod';
import { getRangeStream } from '../lib/s3';
import { defineTask } from '../lib/task';
import { jobIdSchema } from '../lib/validation';
import { scanFileRange } from './csv-boundaries';
import { etlKeys } from './keys';
import { jobFingerprintOf, readManifest } from './manifest';

const eventSchema = z.object({ jobId: jobIdSchema, index: z.number().int().min(0), start: z.number().int().min(0), end: z.number().int().min(1) });

export const handler = defineTask({
  name: 'etl-scan-range',
  event: eventSchema,
  load: ({ jobId }) => readManifest(jobId),
  work: async ({ event, loaded }) => scanFileRange((start, end) => getRangeStream(loaded.inputObject.key, start, end), event),
  // The scan is small: its marker is the record stitch reads.
  once: { marker: ({ jobId, index }) => etlKeys.scan(jobId, index), fingerprint: ({ loaded }) => jobFingerprintOf(loaded), outputs: () => [] },
  respond: (_r, { event }) => ({ index: event.index }),
});
