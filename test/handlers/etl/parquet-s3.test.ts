// Parquet through S3 (the local s3rver): the reader over range GETs, and the stream writer feeding a
// multipart upload, as the transform will use them.
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { InputNotFound, InvalidInput } from '../../../handlers/lib/errors';
import { putBuffer, putStream } from '../../../handlers/lib/s3';
import { openS3ParquetSource, type ParquetSource } from '../../../handlers/etl/parquet-source';
import { readParquetLayout } from '../../../handlers/etl/parquet-read';
import { ParquetStreamWriter, writableSink, writeParquet, type ParquetColumnSpec } from '../../../handlers/etl/parquet-write';
import type { EtlValue } from '../../../handlers/etl/parquet-values';
import { useLocalServices } from '../../support/services';
import { rejection } from '../../support/rejection';
import { readerRows } from './parquet-oracle';

const COLUMNS: ParquetColumnSpec[] = [
  { name: 'id', type: { kind: 'int', nullable: false } },
  { name: 'price', type: { kind: 'decimal', precision: 38, scale: 6, nullable: true } },
  { name: 'city', type: { kind: 'string', nullable: true } },
  { name: 'day', type: { kind: 'date', nullable: true } },
];

function row(i: number): EtlValue[] {
  return [BigInt(i) - 2n ** 62n, i % 9 === 0 ? null : BigInt(i) * 10n ** 30n + 123456n, i % 4 === 0 ? null : `Zürich ${i % 40}`, i % 5 === 0 ? null : i - 40_000];
}

/** Every row of every group, read through the source. */
async function readAll(source: ParquetSource): Promise<EtlValue[][]> {
  const layout = await readParquetLayout(source);
  const rows: EtlValue[][] = [];
  for (const group of layout.rowGroups) rows.push(...(await readerRows(source, layout, group.index, COLUMNS.map((c) => c.name))).rows);
  return rows;
}

describe('handlers/etl/parquet on S3 (against s3rver)', function () {
  this.timeout(60_000);
  useLocalServices();

  it('reads an S3 object with range GETs: layout and rows', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(i));
    const key = 'jobs/p1/input/table.parquet';
    await putBuffer(key, writeParquet(COLUMNS.map((c, i) => ({ ...c, values: rows.map((r) => r[i]!) })), { rowGroupRows: 2000 }));
    const source = await openS3ParquetSource(key);
    expect((await readParquetLayout(source)).rowGroups.map((g) => g.rowCount)).to.deep.equal([2000, 2000, 1000]);
    expect(await readAll(source)).to.deep.equal(rows);
  });

  it('streams row groups into a multipart upload that completes when the writer closes', async () => {
    const key = 'jobs/p1/output/rows.parquet';
    const body = new PassThrough();
    const upload = putStream(key, body);
    const writer = new ParquetStreamWriter(COLUMNS, writableSink(body), { rowGroupRows: 40_000 });
    const total = 120_500;
    for (let start = 0; start < total; start += 10_000) {
      await writer.writeRows(Array.from({ length: Math.min(10_000, total - start) }, (_, i) => row(start + i)));
    }
    const summary = await writer.close();
    await upload;
    expect(summary).to.include({ rows: total, rowGroups: 4 });
    const source = await openS3ParquetSource(key);
    expect(source.byteLength).to.equal(summary.bytes);
    const rows = await readAll(source);
    expect(rows.length).to.equal(total);
    for (const i of [0, 39_999, 40_000, 99_999, total - 1]) expect(rows[i], `row ${i}`).to.deep.equal(row(i));
  });

  it('names the key when the object is missing (InputNotFound) or is not Parquet (InvalidInput)', async () => {
    expect(await rejection(openS3ParquetSource('jobs/p1/input/missing.parquet'))).to.be.instanceOf(InputNotFound);
    await putBuffer('jobs/p1/input/notes.txt', 'date,delay\n2001-01-01,3\n');
    const err = await rejection(readParquetLayout(await openS3ParquetSource('jobs/p1/input/notes.txt')));
    expect(err).to.be.instanceOf(InvalidInput);
    expect(err.message).to.equal('jobs/p1/input/notes.txt is not a readable Parquet file: it does not end with "PAR1" (not Parquet, or truncated)');
  });
});
