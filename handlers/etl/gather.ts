// Lambda: after every partition is transformed, reads their summaries once: the job's row totals (rows in
// = out + filtered + rejected, or a bug), the reject limit (the job fails here, before any reduce work),
// each bucket's list of runs for its reduce task, and the pieces report publishes. Without it every
// reduce task would read every partition's summary.
import { defineTask } from '../lib/task';
import { gatherPartitions } from './gathered';
import { jobRefSchema } from './job-input';
import { etlKeys } from './keys';
import { jobFingerprintOf, readManifest } from './manifest';

export const handler = defineTask({
  name: 'etl-gather',
  event: jobRefSchema,
  load: ({ jobId }) => readManifest(jobId),
  step: { name: 'gather' },
  work: ({ loaded }) => gatherPartitions(loaded),
  once: {
    marker: ({ jobId }) => etlKeys.marker(jobId, 'gather'),
    fingerprint: ({ loaded }) => jobFingerprintOf(loaded),
    outputs: (r) => r.outputs,
  },
  respond: (r) => ({ rowsIn: r.gathered.counts.rowsIn, rowsRejected: r.gathered.counts.rowsRejected, runs: r.runs }),
});
