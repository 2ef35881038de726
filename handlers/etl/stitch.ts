// Lambda: the small sequential step between the range scans and the transforms. The running quote parity
// picks each range's true first row start, which makes the partitions (csv-boundaries.ts).
import { InternalError } from '../lib/errors';
import { forEachLimit } from '../lib/for-each-limit';
import { setJobStep, setJobTotal } from '../lib/progress';
import { getJson, putJson } from '../lib/s3';
import { defineTask } from '../lib/task';
import { stitchBoundaries, type ByteRange, type RangeScan } from './csv-boundaries';
import { jobRefSchema } from './job-input';
import { etlKeys } from './keys';
import { jobFingerprintOf, readManifest, type EtlManifest } from './manifest';
import type { PartitionItem } from './partition-items';

const READ_CONCURRENCY = 16;

async function stitch(m: EtlManifest): Promise<{ partitionsKey: string; partitionCount: number }> {
  const ranges = await getJson<ByteRange[]>(etlKeys.ranges(m.jobId));
  const scans: RangeScan[] = new Array(ranges.length);
  await forEachLimit(ranges, READ_CONCURRENCY, async (range, i) => {
    scans[i] = (await getJson<{ result: RangeScan }>(etlKeys.scan(m.jobId, range.index))).result;
  });
  const { dataStart, partitions } = stitchBoundaries(scans, m.inputObject.size, { key: m.inputObject.key });
  if (dataStart !== m.csv?.dataStart) throw new InternalError(`Stitch found the data starting at byte ${dataStart}, plan at ${m.csv?.dataStart}`);
  const items: PartitionItem[] = partitions.map((p) => ({ kind: 'csv', index: p.index, start: p.start, end: p.end, firstRow: p.firstRow }));
  await putJson(etlKeys.partitions(m.jobId), items);
  return { partitionsKey: etlKeys.partitions(m.jobId), partitionCount: items.length };
}

export const handler = defineTask({
  name: 'etl-stitch',
  event: jobRefSchema,
  load: ({ jobId }) => readManifest(jobId),
  step: { name: 'stitch' },
  work: ({ loaded }) => stitch(loaded),
  once: { marker: ({ jobId }) => etlKeys.marker(jobId, 'stitch'), fingerprint: ({ loaded }) => jobFingerprintOf(loaded), outputs: (r) => [r.partitionsKey] },
  after: async (r, { jobId }) => {
    await setJobTotal(jobId, r.partitionCount);
    await setJobStep(jobId, 'transform');
  },
  respond: (r, { jobId }) => ({ jobId, ...r }),
});
