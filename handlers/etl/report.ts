// Lambda: the job's end. Totals from every partition (rows in = out + filtered + rejected, or a bug), the
// reject limit, then the outputs: aggregates.csv and .parquet in group order, rejects.csv in row order,
// the rows' Parquet parts, and report.json last (the job's completion marker). Marks the job SUCCEEDED.
import { InternalError, InvalidInput } from '../lib/errors';
import { forEachLimit } from '../lib/for-each-limit';
import type { Logger } from '../lib/logger';
import { finishJob } from '../lib/progress';
import { getJson, getStream, putBuffer, putJson, putStream } from '../lib/s3';
import { defineTask } from '../lib/task';
import { aggregatePlan, compareGroups, decodeGroupValue, type GroupEntry } from './group-table';
import { jobRefSchema } from './job-input';
import { etlKeys } from './keys';
import { jobFingerprintOf, readManifest, type EtlManifest } from './manifest';
import { asOutputValue, csvQuote, csvText, outputColumns } from './output-columns';
import type { EtlValue } from './parquet-values';
import { writeParquet } from './parquet-write';
import { transformedPartitions } from './reduce';
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
const REJECT_SAMPLE = 5;

/** The final rows of the aggregate table, in group order; one row without a group-by even with no input rows (as SQL). */
async function aggregateRows(m: EtlManifest): Promise<EtlValue[][]> {
  const plan = aggregatePlan(m.spec);
  const entries: GroupEntry[] = [];
  for (let bucket = 0; bucket < m.buckets; bucket++) entries.push(...(await getJson<GroupEntry[]>(etlKeys.reduced(m.jobId, bucket))));
  entries.sort((a, b) => compareGroups(plan.groupKinds, a.group, b.group));
  if (entries.length === 0 && m.spec.groupBy.length === 0) entries.push({ group: [], states: plan.aggregates.map((a) => a.create().toJSON()) });
  const columns = outputColumns(m.spec);
  const groupCount = m.spec.groupBy.length;
  return entries.map((e) => [
    ...e.group.map((v, i) => decodeGroupValue(plan.groupKinds[i]!, v)),
    ...e.states.map((s, i) => asOutputValue(columns[groupCount + i]!.type, plan.aggregates[i]!.fromJSON(s).result())),
  ]);
}

async function writeAggregates(m: EtlManifest): Promise<{ keys: string[]; groups: number }> {
  if (m.spec.aggregates.length === 0) return { keys: [], groups: 0 };
  const columns = outputColumns(m.spec);
  const rows = await aggregateRows(m);
  const csv = [columns.map((c) => csvQuote(c.name)).join(','), ...rows.map((r) => r.map((v, i) => csvText(columns[i]!.type, v)).join(','))].join('\n');
  await putBuffer(etlKeys.aggregatesCsv(m.jobId), `${csv}\n`, { contentType: 'text/csv' });
  await putBuffer(etlKeys.aggregatesParquet(m.jobId), writeParquet(columns.map((c, i) => ({ ...c, values: rows.map((r) => r[i]!) }))), {
    contentType: 'application/vnd.apache.parquet',
  });
  return { keys: [etlKeys.aggregatesCsv(m.jobId), etlKeys.aggregatesParquet(m.jobId)], groups: rows.length };
}

/** rejects.csv (`row,reason,raw`): pieces in partition and checkpoint order are already in row order. */
async function writeRejects(m: EtlManifest, pieces: readonly string[]): Promise<string> {
  const lines = ['row,reason,raw'];
  for (const key of pieces) for (const r of await getJson<Reject[]>(key)) lines.push(`${r.row},${csvQuote(r.reason)},${csvQuote(r.raw)}`);
  await putBuffer(etlKeys.rejectsCsv(m.jobId), `${lines.join('\n')}\n`, { contentType: 'text/csv' });
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

function checkRejectLimit(m: EtlManifest, totals: TransformCounts, sample: Reject[]): number {
  const percent = totals.rowsIn === 0 ? 0 : (100 * totals.rowsRejected) / totals.rowsIn;
  if (percent > m.job.maxRejectPercent) {
    const examples = sample.map((r) => `row ${r.row}: ${r.reason}`).join('; ');
    throw new InvalidInput(
      `${totals.rowsRejected} of ${totals.rowsIn} rows (${percent.toFixed(3)}%) were rejected, more than maxRejectPercent ${m.job.maxRejectPercent}: ${examples}`,
      { key: m.inputObject.key, field: 'maxRejectPercent' },
    );
  }
  return percent;
}

async function report(m: EtlManifest, log: Logger): Promise<ReportResult> {
  const parts = await transformedPartitions(m);
  const totals: TransformCounts = { rowsIn: 0, rowsOut: 0, rowsFiltered: 0, rowsRejected: 0 };
  for (const p of parts) for (const k of Object.keys(totals) as (keyof TransformCounts)[]) totals[k] += p.counts[k];
  if (totals.rowsIn !== totals.rowsOut + totals.rowsFiltered + totals.rowsRejected) throw new InternalError(`Row totals do not add up: ${JSON.stringify(totals)}`);
  const rejectPieces = parts.flatMap((p) => p.rejects);
  const sample = rejectPieces.length > 0 ? (await getJson<Reject[]>(rejectPieces[0]!)).slice(0, REJECT_SAMPLE) : [];
  const rejectPercent = checkRejectLimit(m, totals, sample);

  const aggregates = await writeAggregates(m);
  const rejectsKey = await writeRejects(m, rejectPieces);
  const rows = m.spec.rows ? await publishRows(m, parts.flatMap((p) => p.rows)) : [];
  const result: EtlReport = { ...totals, partitions: parts.length, groups: aggregates.groups, bytesIn: m.inputObject.size, rejectPercent, format: m.format };
  log.info('report', { ...result });
  return { jobId: m.jobId, report: result, reportKey: etlKeys.report(m.jobId), outputs: [...aggregates.keys, rejectsKey, ...rows, etlKeys.report(m.jobId)] };
}

export const handler = defineTask({
  name: 'etl-report',
  event: jobRefSchema,
  load: ({ jobId }) => readManifest(jobId),
  step: { name: 'report' },
  work: async ({ loaded, log }) => {
    const result = await report(loaded, log);
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
