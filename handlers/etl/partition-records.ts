// The records of one partition from a resume position on, CSV or Parquet alike: each with its row number
// in the file, its fields (CSV text) or typed values (Parquet), and the position just after it, which is
// the cursor a checkpoint saves. They arrive in batches (a stream chunk, a Parquet page's rows): an
// await per record cost as much as parsing it.
import { getRangeStream } from '../lib/s3';
import { csvRecordBatches } from './csv-rows';
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

async function* csvFrom(m: EtlManifest, item: Extract<PartitionItem, { kind: 'csv' }>, at: ReadPosition): AsyncGenerator<SourceRecord[]> {
  const bytes = await getRangeStream(m.inputObject.key, at.position, item.end - 1);
  for await (const batch of csvRecordBatches(bytes, { start: at.position, firstRow: at.row, delimiter: m.csv!.delimiter })) {
    yield batch.map((r): SourceRecord => ({ kind: 'csv', row: r.row, fields: r.fields, raw: r.raw, position: r.end }));
  }
}

/** readRowGroupRows pushes batches; this turns them into batches pulled one at a time, one in memory. */
async function* parquetFrom(m: EtlManifest, item: Extract<PartitionItem, { kind: 'parquet' }>, at: ReadPosition): AsyncGenerator<SourceRecord[]> {
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
    const records: SourceRecord[] = [];
    for (let i = 0; i < batch.rows.length; i++) {
      const inGroup = batch.firstRow - groupStart + i;
      if (inGroup < at.position) continue;
      records.push({ kind: 'parquet', row: batch.firstRow + i + 1, values: batch.rows[i]!, position: inGroup + 1 });
    }
    if (records.length > 0) yield records;
    pulled!();
  }
  await reading;
  if (failure) throw failure;
}

/** A partition's records taken one at a time, synchronously, from the batch in hand; `more()` awaits the next batch. */
export class RecordReader {
  private batch: SourceRecord[] = [];
  private next = 0;

  constructor(private readonly batches: AsyncIterator<SourceRecord[]>) {}

  /** The next record of the batch in hand, or undefined when it is used up. */
  take(): SourceRecord | undefined {
    return this.next < this.batch.length ? this.batch[this.next++] : undefined;
  }

  /** Reads the next non-empty batch; false at the end of the partition. */
  async more(): Promise<boolean> {
    for (;;) {
      const r = await this.batches.next();
      if (r.done) return false;
      if (r.value.length > 0) {
        this.batch = r.value;
        this.next = 0;
        return true;
      }
    }
  }
}

export function recordsFrom(m: EtlManifest, item: PartitionItem, at: ReadPosition): RecordReader {
  return new RecordReader(item.kind === 'csv' ? csvFrom(m, item, at) : parquetFrom(m, item, at));
}
