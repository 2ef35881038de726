// The records of one partition from a resume position on, CSV or Parquet alike: each with its row number
// in the file, its fields (CSV text) or typed values (Parquet), and the position just after it, which is
// the cursor a checkpoint saves.
import { getRangeStream } from '../lib/s3';
import { csvRecords } from './csv-rows';
import type { EtlManifest } from './manifest';
import { readParquetLayout, readRowGroupRows, type RowBatch } from './parquet-read';
import { openS3ParquetSource } from './parquet-source';
import type { EtlValue } from './parquet-values';
import type { PartitionItem } from './partition-items';

export type SourceRecord =
  | { kind: 'csv'; row: number; fields: string[]; raw: string; position: number }
  | { kind: 'parquet'; row: number; values: EtlValue[]; position: number };

/** Where a partition's reading resumes: a byte offset (CSV) or rows of the group done (Parquet), and the next row's number. */
export interface ReadPosition {
  position: number;
  row: number;
}

export function startPosition(item: PartitionItem): ReadPosition {
  return { position: item.kind === 'csv' ? item.start : 0, row: item.firstRow };
}

export function isAtEnd(item: PartitionItem, at: ReadPosition): boolean {
  return item.kind === 'csv' ? at.position >= item.end : at.position >= item.rowCount;
}

async function* csvFrom(m: EtlManifest, item: Extract<PartitionItem, { kind: 'csv' }>, at: ReadPosition): AsyncGenerator<SourceRecord> {
  const bytes = await getRangeStream(m.inputObject.key, at.position, item.end - 1);
  for await (const r of csvRecords(bytes, { start: at.position, firstRow: at.row, delimiter: m.csv!.delimiter })) {
    yield { kind: 'csv', row: r.row, fields: r.fields, raw: r.raw, position: r.end };
  }
}

/** readRowGroupRows pushes batches; this turns them into records pulled one at a time, a batch in memory. */
async function* parquetFrom(m: EtlManifest, item: Extract<PartitionItem, { kind: 'parquet' }>, at: ReadPosition): AsyncGenerator<SourceRecord> {
  const source = await openS3ParquetSource(m.inputObject.key);
  const layout = await readParquetLayout(source);
  const columns = m.spec.columns.map((c) => c.name);
  let handOver: ((batch: RowBatch | null) => void) | undefined;
  let pulled: (() => void) | undefined;
  let failure: unknown;
  const nextBatch = () => new Promise<RowBatch | null>((resolve) => (handOver = resolve));
  let pending = nextBatch();
  const reading = readRowGroupRows(source, layout, item.rowGroup, columns, (batch) => {
    handOver!(batch);
    return new Promise<void>((resolve) => (pulled = resolve));
  }).then(
    () => handOver!(null),
    (err: unknown) => {
      failure = err;
      handOver!(null);
    },
  );
  const groupStart = layout.rowGroups[item.rowGroup]!.firstRow;
  for (;;) {
    const batch = await pending;
    if (batch === null) break;
    pending = nextBatch();
    for (let i = 0; i < batch.rows.length; i++) {
      const inGroup = batch.firstRow - groupStart + i;
      if (inGroup < at.position) continue;
      yield { kind: 'parquet', row: batch.firstRow + i + 1, values: batch.rows[i]!, position: inGroup + 1 };
    }
    pulled!();
  }
  await reading;
  if (failure) throw failure;
}

export function recordsFrom(m: EtlManifest, item: PartitionItem, at: ReadPosition): AsyncGenerator<SourceRecord> {
  return item.kind === 'csv' ? csvFrom(m, item, at) : parquetFrom(m, item, at);
}
