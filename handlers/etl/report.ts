// Lambda: the job's end, after gather (totals, reject limit) and reduce: the outputs, aggregates.csv and
// .parquet in group order (a streaming merge of the reduced buckets, so any number of groups), rejects.csv
// in row order, the rows' Parquet parts, and report.json last (the job's completion marker). Marks the
// job SUCCEEDED.
import { PassThrough } from 'node:stream';
import { forEachLimit } from '../lib/for-each-limit';
import type { Logger } from '../lib/logger';
import { finishJob } from '../lib/progress';
import { getJson, getStream, putJson, putStream } from '../lib/s3';
import { openLineUpload, putLines } from '../lib/s3-lines';
import { defineTask } from '../lib/task';
import { readGathered, type Gathered } from './gathered';
import { aggregatePlan } from './group-table';
import { readGroupRun, runEntryOrder, type RunEntry } from './group-runs';
import { jobRefSchema } from './job-input';
import { etlKeys } from './keys';
import { jobFingerprintOf, readManifest, type EtlManifest } from './manifest';
import { mergeSorted } from './merge-sorted';
import { asOutputValue, csvQuote, csvText, outputColumns } from './output-columns';
import type { EtlValue } from './parquet-values';
import { ParquetStreamWriter, writableSink } from './parquet-write';
import type { Reject, TransformCounts } from './transform-partition';

export interface EtlReport extends TransformCounts {
  partitions: number;
  groups: number;
  bytesIn: number;
  rejectPercent: number;
  format: 'csv' | 'parquet';
}

export interface ReportResult {
  jobId: string;
  report: EtlReport;
  reportKey: string;
  /** Every object the job published under output/. */
  outputs: string[];
}

const COPY_CONCURRENCY = 4;
/** Rows handed to the Parquet writer at once. */
const PARQUET_BATCH = 10_000;

/**
 * The final rows of the aggregate table, in group order: the reduced buckets merged (each group is in one
 * bucket only). One row without a group-by even with no input rows, as SQL has it.
 */
async function* aggregateRows(m: EtlManifest): AsyncGenerator<EtlValue[]> {
  const plan = aggregatePlan(m.spec);
  const columns = outputColumns(m.spec);
  const groupCount = m.spec.groupBy.length;
  const buckets = Array.from({ length: m.buckets }, (_, b) => readGroupRun(etlKeys.reduced(m.jobId, b), plan.groupKinds));
  const row = (e: RunEntry): EtlValue[] => [
    ...e.values,
    ...e.states.map((s, i) => asOutputValue(columns[groupCount + i]!.type, plan.aggregates[i]!.fromJSON(s).result())),
  ];
  let any = false;
  for await (const entry of mergeSorted(buckets, runEntryOrder(plan.groupKinds))) {
    any = true;
    yield row(entry);
  }
  if (!any && groupCount === 0) yield row({ group: [], states: plan.aggregates.map((a) => a.create().toJSON()), values: [] });
}

/** aggregates.parquet as an upload fed row group by row group; an upload that fails errors its body, so a writer waiting on it hears. */
function openParquetUpload(key: string, columns: ReturnType<typeof outputColumns>) {
  const body = new PassThrough();
  const upload = putStream(key, body, { contentType: 'application/vnd.apache.parquet' });
  upload.catch((err: unknown) => body.destroy(err instanceof Error ? err : new Error(String(err))));
  return { writer: new ParquetStreamWriter(columns, writableSink(body)), body, upload };
}

/**
 * aggregates.csv and .parquet in one pass over the merged buckets (each bucket read once), neither ever
 * whole in memory. A failure abandons the uploads still open; report.json, written after both, is what
 * says the outputs are complete, and a retry writes them again.
 */
async function writeAggregates(m: EtlManifest): Promise<{ keys: string[]; groups: number }> {
  if (m.spec.aggregates.length === 0) return { keys: [], groups: 0 };
  const columns = outputColumns(m.spec);
  const csv = openLineUpload(etlKeys.aggregatesCsv(m.jobId), { contentType: 'text/csv' });
  const parquet = openParquetUpload(etlKeys.aggregatesParquet(m.jobId), columns);
  let groups = 0;
  try {
    await csv.write(columns.map((c) => csvQuote(c.name)).join(','));
    let batch: EtlValue[][] = [];
    for await (const r of aggregateRows(m)) {
      groups += 1;
      await csv.write(r.map((v, i) => csvText(columns[i]!.type, v)).join(','));
      batch.push(r);
      if (batch.length === PARQUET_BATCH) {
        await parquet.writer.writeRows(batch);
        batch = [];
      }
    }
    await parquet.writer.writeRows(batch);
    await parquet.writer.close();
    await Promise.all([csv.end(), parquet.upload]);
  } catch (err) {
    parquet.body.destroy(err instanceof Error ? err : new Error(String(err)));
    await Promise.all([csv.abort(err), parquet.upload.catch(() => {})]);
    throw err;
  }
  return { keys: [etlKeys.aggregatesCsv(m.jobId), etlKeys.aggregatesParquet(m.jobId)], groups };
}

/** rejects.csv (`row,reason,raw`): pieces in partition and checkpoint order are already in row order. */
async function writeRejects(m: EtlManifest, pieces: readonly string[]): Promise<string> {
  async function* lines() {
    yield 'row,reason,raw';
    for (const key of pieces) for (const r of await getJson<Reject[]>(key)) yield `${r.row},${csvQuote(r.reason)},${csvQuote(r.raw)}`;
  }
  await putLines(etlKeys.rejectsCsv(m.jobId), lines(), { contentType: 'text/csv' });
  return etlKeys.rejectsCsv(m.jobId);
}

/** The rows' pieces published as output/rows/part-NNNNN.parquet, numbered in row order. */
async function publishRows(m: EtlManifest, pieces: readonly string[]): Promise<string[]> {
  const keys = pieces.map((_, i) => etlKeys.rowsPart(m.jobId, i));
  await forEachLimit(pieces, COPY_CONCURRENCY, async (piece, i) => {
    await putStream(keys[i]!, await getStream(piece), { contentType: 'application/vnd.apache.parquet' });
  });
  return keys;
}

async function report(m: EtlManifest, g: Gathered, log: Logger): Promise<ReportResult> {
  const aggregates = await writeAggregates(m);
  const rejectsKey = await writeRejects(m, g.rejects);
  const rows = m.spec.rows ? await publishRows(m, g.rows) : [];
  const result: EtlReport = { ...g.counts, partitions: g.partitions, groups: aggregates.groups, bytesIn: m.inputObject.size, rejectPercent: g.rejectPercent, format: m.format };
  log.info('report', { ...result });
  return { jobId: m.jobId, report: result, reportKey: etlKeys.report(m.jobId), outputs: [...aggregates.keys, rejectsKey, ...rows, etlKeys.report(m.jobId)] };
}

export const handler = defineTask({
  name: 'etl-report',
  event: jobRefSchema,
  load: ({ jobId }) => readManifest(jobId),
  step: { name: 'report' },
  work: async ({ loaded, log }) => {
    const result = await report(loaded, await readGathered(loaded), log);
    // Written last: with it, every other output of the job is complete.
    await putJson(etlKeys.report(loaded.jobId), result.report);
    return result;
  },
  once: {
    marker: ({ jobId }) => etlKeys.marker(jobId, 'report'),
    fingerprint: ({ loaded }) => jobFingerprintOf(loaded),
    outputs: (r) => r.outputs,
  },
  after: (_r, { jobId }) => finishJob(jobId, { status: 'SUCCEEDED' }),
  respond: (r, { reused }) => ({ ...r, reused }),
});
