// Plan's work: read the spec, recognise the input (CSV or Parquet) from its first bytes, check its columns
// against the spec before any fan-out, and write the manifest and the first Map's items.
import { InvalidInput } from '../lib/errors';
import type { InputObject } from '../lib/job-fingerprint';
import type { Logger } from '../lib/logger';
import { getRange, putJson } from '../lib/s3';
import { planRanges } from './csv-boundaries';
import { readHeaderFrom } from './csv-header';
import type { EtlJob } from './job-input';
import { etlKeys } from './keys';
import { writeManifest, type StoredManifest } from './manifest';
import { readParquetLayout, type ParquetLayout } from './parquet-read';
import { openS3ParquetSource } from './parquet-source';
import { defaultBuckets, type PartitionItem } from './partition-items';
import type { ColumnType, EtlSpec } from './spec';
import { specTransform } from './spec-transform';

/** What plan returns to the state machine: keys and small numbers only. */
export interface PlanResult {
  jobId: string;
  format: 'csv' | 'parquet';
  /** CSV: the byte ranges to scan before partitions are known. */
  rangesKey: string | null;
  rangeCount: number;
  /** Parquet: the row groups are the partitions, known now. */
  partitionsKey: string;
  partitionCount: number;
  maxConcurrency: number;
  buckets: number[];
}

const MB = 1024 * 1024;

async function isParquet(key: string, size: number): Promise<boolean> {
  if (size < 4) return false;
  return (await getRange(key, 0, 3)).toString('latin1') === 'PAR1';
}

function typeText(t: ColumnType): string {
  return t.kind === 'decimal' ? `decimal(${t.precision},${t.scale})` : t.kind;
}

async function planCsv(job: EtlJob, input: InputObject, spec: EtlSpec) {
  const header = await readHeaderFrom((start, end) => getRange(input.key, start, end), input.size, { key: input.key });
  const missing = spec.columns.filter((c) => !header.columns.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new InvalidInput(
      `The header of ${input.key} lacks the spec column(s) ${missing.join(', ')} (header: ${header.columns.join(', ')}; delimiter ${JSON.stringify(header.delimiter)})`,
      { key: input.key, field: 'spec.columns' },
    );
  }
  const twice = spec.columns.filter((c) => header.columns.indexOf(c.name) !== header.columns.lastIndexOf(c.name)).map((c) => c.name);
  if (twice.length > 0) throw new InvalidInput(`The header of ${input.key} names ${twice.join(', ')} more than once`, { key: input.key });
  const ranges = planRanges(input.size, Math.max(1, Math.round(job.partitionMb * MB)));
  await putJson(etlKeys.ranges(job.jobId), ranges);
  const csv = { delimiter: header.delimiter, header: header.columns, fieldIndexes: spec.columns.map((c) => header.columns.indexOf(c.name)), dataStart: header.dataStart };
  return { csv, rangeCount: ranges.length, partitions: [] as PartitionItem[] };
}

/** The spec's columns must be the file's, with the same types (a decimal's scale included). */
function checkParquetColumns(layout: ParquetLayout, spec: EtlSpec, key: string): void {
  const problems: string[] = [];
  for (const col of spec.columns) {
    const found = layout.columns.find((c) => c.name === col.name);
    if (!found) problems.push(`${col.name} is not in the file (columns: ${layout.columns.map((c) => c.name).join(', ')})`);
    else if (found.type.kind === 'unsupported') problems.push(`${col.name} (${found.parquetType}) cannot be read: ${found.type.reason}`);
    else if (typeText(found.type) !== typeText(col.type)) problems.push(`${col.name} is ${typeText(found.type)} (${found.parquetType}) in the file, ${typeText(col.type)} in the spec`);
  }
  if (problems.length > 0) throw new InvalidInput(`${key} does not match the spec: ${problems.join('; ')}`, { key, field: 'spec.columns' });
}

async function planParquet(input: InputObject, spec: EtlSpec) {
  const layout = await readParquetLayout(await openS3ParquetSource(input.key));
  checkParquetColumns(layout, spec, input.key);
  if (layout.totalRows === 0) throw new InvalidInput(`${input.key} holds no rows`, { key: input.key });
  const partitions: PartitionItem[] = layout.rowGroups
    .filter((g) => g.rowCount > 0)
    .map((g, index) => ({ kind: 'parquet', index, rowGroup: g.index, firstRow: g.firstRow + 1, rowCount: g.rowCount }));
  return { csv: null, rangeCount: 0, partitions };
}

export async function planEtl(
  job: EtlJob,
  inputs: { input: InputObject; spec: EtlSpec; rawSpec: unknown; specObject: InputObject | null },
  log: Logger,
): Promise<PlanResult> {
  const { input, spec } = inputs;
  if (input.size === 0) throw new InvalidInput(`Input ${input.key} is empty (0 bytes)`, { key: input.key });
  // Compiled once here, as each partition will: a where value that does not fit its column (one the
  // transform module derives included) fails the job now, not in every partition.
  specTransform(spec);
  const format = (await isParquet(input.key, input.size)) ? 'parquet' : 'csv';
  const planned = format === 'csv' ? await planCsv(job, input, spec) : await planParquet(input, spec);
  const buckets = job.reduceBuckets ?? defaultBuckets(format === 'csv' ? planned.rangeCount : planned.partitions.length);
  if (format === 'parquet') await putJson(etlKeys.partitions(job.jobId), planned.partitions);
  const manifest: StoredManifest = {
    version: 1,
    jobId: job.jobId,
    job,
    inputObject: input,
    specObject: inputs.specObject,
    rawSpec: inputs.rawSpec,
    format,
    csv: planned.csv,
    buckets,
  };
  await writeManifest(manifest);
  log.info('planned', { format, bytes: input.size, ranges: planned.rangeCount, partitions: planned.partitions.length, buckets });
  return {
    jobId: job.jobId,
    format,
    rangesKey: format === 'csv' ? etlKeys.ranges(job.jobId) : null,
    rangeCount: planned.rangeCount,
    partitionsKey: etlKeys.partitions(job.jobId),
    partitionCount: planned.partitions.length,
    maxConcurrency: job.maxConcurrency,
    buckets: Array.from({ length: buckets }, (_, i) => i),
  };
}
