// Transform's work: one partition's records through the spec (typed, filtered, rejected with a reason),
// into hash-partitioned partial aggregates, Parquet rows and rejects. Time-boxed: before its deadline it
// writes what it holds (pieces named by the checkpoint's seq) and a checkpoint with its read position and
// totals, and the next invocation resumes there; no row is lost or counted twice.
import type { Deadline } from '../lib/deadline';
import { InternalError } from '../lib/errors';
import { putBuffer, putJson } from '../lib/s3';
import { mapTurn, runTimeBoxedLoop, type LoopResult, type LoopTurn } from '../lib/time-boxed-loop';
import type { Cursor } from '../lib/checkpoint';
import { aggregatePlan, GroupTable } from './group-table';
import { writeGroupRun } from './group-runs';
import { rejectBytes, rowBytes } from './held-bytes';
import { etlKeys } from './keys';
import { parseTransformState } from './transform-state';
import type { EtlManifest } from './manifest';
import type { EtlValue } from './parquet-values';
import { writeParquet } from './parquet-write';
import { isAtEnd, recordsFrom, startPosition, type ReadPosition, type RecordReader, type SourceRecord } from './partition-records';
import type { PartitionItem } from './partition-items';
import { FILTERED, Rejection } from './row-transform';
import { specTransform } from './spec-transform';
import { parseField } from './typed-values';

export interface TransformCounts {
  rowsIn: number;
  rowsOut: number;
  rowsFiltered: number;
  rowsRejected: number;
}

/** What a partition leaves for the reduce and report tasks. */
export interface TransformedPartition {
  index: number;
  counts: TransformCounts;
  bytesIn: number;
  /** Partial aggregate pieces by bucket. */
  partials: { bucket: number; key: string }[];
  rows: string[];
  rejects: string[];
}

export interface TransformState extends ReadPosition {
  counts: TransformCounts;
  partials: { bucket: number; key: string }[];
  rows: string[];
  rejects: string[];
}

export interface Reject {
  row: number;
  reason: string;
  raw: string;
}

/** Records per step: a step must stay far shorter than the deadline's margin. */
const STEP_RECORDS = 2_000;
/** What a partition may hold in memory before it writes it out, time left or not. */
const MAX_GROUPS_IN_MEMORY = 100_000;
const MAX_ROWS_IN_MEMORY = 200_000;
const MAX_REJECTS_IN_MEMORY = 50_000;
/**
 * And what grows with the data beyond those counts, by estimate (held-bytes.ts): count_distinct's
 * values, rows and rejects. A worker's heap then stays flat whatever the partition's size; writing out
 * more often is only more pieces for the reduce to merge. (Groups are bounded by their number: counted
 * in bytes as well, a million-group job spilled every 14,000 groups and took over 5 minutes, not 1.)
 */
const MAX_BYTES_IN_MEMORY = 12 * 1024 * 1024;

type Outcome = { kind: 'out'; values: readonly EtlValue[] } | { kind: 'filtered' } | { kind: 'rejected'; reject: Reject };

/** Turns a record into a typed row of the spec's columns, or says why it cannot be one. */
function typedRow(m: EtlManifest, record: SourceRecord): { values: EtlValue[] } | { reason: string } {
  if (record.kind === 'parquet') {
    const missing = m.spec.columns.findIndex((c, i) => !c.type.nullable && record.values[i] === null);
    return missing >= 0 ? { reason: `${m.spec.columns[missing]!.name}: null, but the column is not null` } : { values: record.values };
  }
  const csv = m.csv!;
  if (record.fields.length !== csv.header.length) return { reason: `${record.fields.length} fields, the header has ${csv.header.length}` };
  const values: EtlValue[] = [];
  for (let i = 0; i < m.spec.columns.length; i++) {
    const column = m.spec.columns[i]!;
    const parsed = parseField(record.fields[csv.fieldIndexes[i]!]!, column.type);
    if (!parsed.ok) return { reason: `${column.name}: ${parsed.reason}` };
    values.push(parsed.value);
  }
  return { values };
}

function rawText(record: SourceRecord): string {
  return record.kind === 'csv' ? record.raw : JSON.stringify(record.values, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The partition's transform, as a time-boxed loop over its records; `onTurn` is told the counts where this invocation's span starts and ends. */
export function transformPartition(
  m: EtlManifest,
  item: PartitionItem,
  deadline: Deadline,
  cursor: Cursor | null,
  onTurn?: (turn: LoopTurn<TransformCounts>) => void,
): Promise<LoopResult<TransformedPartition>> {
  const transform = specTransform(m.spec);
  const plan = aggregatePlan(m.spec);
  const groups = new GroupTable(plan);
  const select = m.spec.rows?.select.map((name) => m.spec.rowColumns.findIndex((c) => c.name === name)) ?? null;
  let rowsBuffer: EtlValue[][] = [];
  let rejectsBuffer: Reject[] = [];
  let bufferedBytes = 0;
  let records: RecordReader | undefined;

  const classify = (record: SourceRecord): Outcome => {
    const typed = typedRow(m, record);
    if ('reason' in typed) return { kind: 'rejected', reject: { row: record.row, reason: typed.reason, raw: rawText(record) } };
    const out = transform.apply(typed.values);
    if (out === FILTERED) return { kind: 'filtered' };
    if (out instanceof Rejection) return { kind: 'rejected', reject: { row: record.row, reason: out.reason, raw: rawText(record) } };
    return { kind: 'out', values: out };
  };

  const step = async (s: TransformState): Promise<TransformState> => {
    records ??= recordsFrom(m, item, s);
    const counts = { ...s.counts };
    let at: ReadPosition = { position: s.position, row: s.row };
    for (let n = 0; n < STEP_RECORDS; n++) {
      let record = records.take();
      if (record === undefined && (await records.more())) record = records.take();
      if (record === undefined) {
        at = { position: item.kind === 'csv' ? item.end : item.rowCount, row: at.row };
        break;
      }
      const outcome = classify(record);
      counts.rowsIn += 1;
      if (outcome.kind === 'rejected') {
        counts.rowsRejected += 1;
        rejectsBuffer.push(outcome.reject);
        bufferedBytes += rejectBytes(outcome.reject);
      } else if (outcome.kind === 'filtered') {
        counts.rowsFiltered += 1;
      } else {
        counts.rowsOut += 1;
        if (plan.aggregates.length > 0) groups.add(outcome.values);
        if (select) {
          const row = select.map((i) => outcome.values[i]!);
          rowsBuffer.push(row);
          bufferedBytes += rowBytes(row);
        }
      }
      at = { position: record.position, row: record.row + 1 };
    }
    return { ...s, ...at, counts };
  };

  const persist = async (s: TransformState, seq: number): Promise<TransformState> => {
    const partials = [...s.partials];
    for (const [bucket, entries] of groups.drain(m.buckets)) {
      const key = etlKeys.partial(m.jobId, bucket, item.index, seq);
      await writeGroupRun(key, entries);
      partials.push({ bucket, key });
    }
    bufferedBytes = 0;
    const rows = [...s.rows];
    if (select && rowsBuffer.length > 0) {
      const key = etlKeys.rowsPiece(m.jobId, item.index, seq);
      const columns = select.map((c, i) => ({ ...m.spec.rowColumns[c]!, values: rowsBuffer.map((r) => r[i]!) }));
      await putBuffer(key, writeParquet(columns), { contentType: 'application/vnd.apache.parquet' });
      rows.push(key);
      rowsBuffer = [];
    }
    const rejects = [...s.rejects];
    if (rejectsBuffer.length > 0) {
      const key = etlKeys.rejectsPiece(m.jobId, item.index, seq);
      await putJson(key, rejectsBuffer);
      rejects.push(key);
      rejectsBuffer = [];
    }
    return { ...s, partials, rows, rejects };
  };

  const finish = async (s: TransformState): Promise<TransformedPartition> => {
    const c = s.counts;
    if (c.rowsIn !== c.rowsOut + c.rowsFiltered + c.rowsRejected) throw new InternalError(`Partition ${item.index} counted ${JSON.stringify(c)}: rows in must be out + filtered + rejected`);
    const result: TransformedPartition = {
      index: item.index,
      counts: c,
      bytesIn: item.kind === 'csv' ? item.end - item.start : 0,
      partials: s.partials,
      rows: s.rows,
      rejects: s.rejects,
    };
    await putJson(etlKeys.transformed(m.jobId, item.index), result);
    return result;
  };

  return runTimeBoxedLoop<TransformState, TransformedPartition>({
    deadline,
    checkpointKey: etlKeys.checkpoint(m.jobId, item.index),
    cursor,
    parseState: (raw) => parseTransformState(raw, etlKeys.checkpoint(m.jobId, item.index)),
    initial: () => ({ ...startPosition(item), counts: { rowsIn: 0, rowsOut: 0, rowsFiltered: 0, rowsRejected: 0 }, partials: [], rows: [], rejects: [] }),
    step,
    finished: (s) => isAtEnd(item, s),
    finish,
    persist,
    mustSave: () =>
      groups.size >= MAX_GROUPS_IN_MEMORY ||
      rowsBuffer.length >= MAX_ROWS_IN_MEMORY ||
      rejectsBuffer.length >= MAX_REJECTS_IN_MEMORY ||
      groups.grownBytes + bufferedBytes >= MAX_BYTES_IN_MEMORY,
    // The job's live figures (transform.ts): the counts, not the state, leave this module.
    onTurn: onTurn && ((turn) => onTurn(mapTurn(turn, (s) => s.counts))),
  });
}
