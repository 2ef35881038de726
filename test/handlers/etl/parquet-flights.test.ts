// Real data: vega-datasets' flights-3m.parquet (3,000,000 US flights of 2001, written by Polars, ZSTD,
// 11 row groups). The layout from the footer alone, and two whole row groups read by us and
// aggregated exactly, against DuckDB's aggregates of the same file rows.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { openFileParquetSource, type ParquetSource } from '../../../handlers/etl/parquet-source';
import { readParquetLayout, readRowGroupRows, type ParquetLayout } from '../../../handlers/etl/parquet-read';
import { duckdbRows, kindsOf, quote, useOracle } from './parquet-oracle';

const FLIGHTS = fileURLToPath(new URL('../../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url));
const KEY = 'jobs/flights/input/flights-3m.parquet';
const COLUMNS = ['date', 'delay', 'distance', 'origin', 'destination'];

/** The file as a source that counts what is read from it. */
function counting(source: ParquetSource): { source: ParquetSource; reads: number; bytes: number } {
  const counts = {
    reads: 0,
    bytes: 0,
    source: {
      key: source.key,
      byteLength: source.byteLength,
      slice: (start: number, end: number) => {
        counts.reads++;
        counts.bytes += end - start;
        return source.slice(start, end);
      },
    },
  };
  return counts;
}

describe('handlers/etl/parquet-read on flights-3m.parquet (real data)', function () {
  this.timeout(60_000);
  const oracle = useOracle();
  let file: ParquetSource;
  let layout: ParquetLayout;

  before(async () => {
    file = await openFileParquetSource(FLIGHTS, KEY);
    layout = await readParquetLayout(file);
  });

  it('reads the layout with two small ranged reads at the ends of the 13 MB file', async () => {
    const counted = counting(file);
    const fresh = await readParquetLayout(counted.source);
    expect(counted.reads).to.equal(2);
    expect(counted.bytes).to.be.at.most(64 * 1024 + 4);
    expect(fresh.totalRows).to.equal(3_000_000);
    expect(fresh.rowGroups).to.have.length(11);
    expect(fresh.createdBy).to.equal('Polars');
    expect(fresh.columns.map((c) => [c.name, c.type.kind, c.parquetType])).to.deep.equal([
      ['date', 'timestamp', 'INT64 TIMESTAMP(MICROS, local)'],
      ['delay', 'int', 'INT64'],
      ['distance', 'int', 'INT64'],
      ['origin', 'string', 'BYTE_ARRAY STRING'],
      ['destination', 'string', 'BYTE_ARRAY STRING'],
    ]);
    const groups = await oracle().rows(`select distinct row_group_id as g, row_group_num_rows as n from parquet_metadata(${quote(FLIGHTS)}) order by g`);
    expect(fresh.rowGroups.map((g) => g.rowCount)).to.deep.equal(groups.map((g) => Number(g.n)));
    expect(fresh.rowGroups.at(-1)).to.include({ index: 10, firstRow: 2_727_270, rowCount: 272_730 });
  });

  for (const index of [0, 10]) {
    it(`reads row group ${index} whole: counts, exact sums and edge rows agree with DuckDB`, async () => {
      const group = layout.rowGroups[index]!;
      const counted = counting(file);
      let rows = 0;
      let delay = 0n;
      let distance = 0n;
      let nulls = 0;
      let first = 2n ** 63n;
      let last = -(2n ** 63n);
      const origins = new Set<string>();
      const edges: unknown[][] = [];
      const result = await readRowGroupRows(counted.source, layout, index, COLUMNS, (batch) => {
        for (const row of batch.rows) {
          const [date, d, dist, origin] = row as [bigint, bigint | null, bigint | null, string];
          if (d === null || dist === null) nulls++;
          delay += d ?? 0n;
          distance += dist ?? 0n;
          if (date < first) first = date;
          if (date > last) last = date;
          origins.add(origin);
          if (rows < 3 || rows >= group.rowCount - 3) edges.push(row);
          rows++;
        }
      });

      const [theirs] = await oracle().rows(`
        select count(*) as n, sum(delay) as delay, sum(distance) as distance, count(*) filter (where delay is null or distance is null) as nulls,
               min(epoch_us(date)) as first, max(epoch_us(date)) as last, count(distinct origin) as origins
        from read_parquet(${quote(FLIGHTS)}, file_row_number = true)
        where file_row_number >= ${group.firstRow} and file_row_number < ${group.firstRow + group.rowCount}`);
      expect({ rows, delay, distance, nulls, first, last, origins: origins.size }).to.deep.equal({
        rows: Number(theirs!.n),
        delay: theirs!.delay,
        distance: theirs!.distance,
        nulls: Number(theirs!.nulls),
        first: theirs!.first,
        last: theirs!.last,
        origins: Number(theirs!.origins),
      });
      const kinds = kindsOf(layout, COLUMNS);
      expect(edges).to.deep.equal([
        ...(await duckdbRows(oracle(), FLIGHTS, kinds, group.firstRow, 3)),
        ...(await duckdbRows(oracle(), FLIGHTS, kinds, group.firstRow + group.rowCount - 3, 3)),
      ]);
      // One ranged read of the group's chunks (and the few bytes between them), about a tenth of the file.
      expect(counted.reads).to.equal(1);
      expect(result).to.include({ rows: group.rowCount, batches: Math.ceil(group.rowCount / 16_384) });
      expect(result.bytesRead).to.be.within(group.compressedBytes, group.compressedBytes * 1.01);
      expect(group.compressedBytes).to.be.below(file.byteLength / 8);
    });
  }
});
