// The per-row cost of one CSV partition's transform, piece by piece, in this process (no worker start-up):
// the functions handlers/etl/transform-partition.ts calls, added one at a time over the same bytes, so
// each piece's cost is the difference between two passes; then each spec column's typed parse and each
// aggregate alone, timed over rows already in memory.
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { parse, type Options } from 'csv-parse';
import { deadlineOf } from '../handlers/lib/deadline';
import { deleteKeys, getRangeStream } from '../handlers/lib/s3';
import { aggregatePlan, GroupTable } from '../handlers/etl/group-table';
import { etlKeys } from '../handlers/etl/keys';
import type { EtlManifest } from '../handlers/etl/manifest';
import type { EtlValue } from '../handlers/etl/parquet-values';
import type { PartitionItem } from '../handlers/etl/partition-items';
import { compileWhere } from '../handlers/etl/row-filter';
import type { EtlSpec } from '../handlers/etl/spec';
import { transformPartition } from '../handlers/etl/transform-partition';
import { parseField } from '../handlers/etl/typed-values';
import { CSV_PARSE_OPTIONS, csvRecordBatches, type CsvRecord } from '../handlers/etl/csv-rows';
import { SALES_COLUMNS } from '../local/data/sales-generator';

/** Group by one string column: count, sum(int), avg(float), count_distinct, min, max. */
export const SALES_SPEC = {
  columns: {
    region: SALES_COLUMNS.region,
    quantity: SALES_COLUMNS.quantity,
    discount: SALES_COLUMNS.discount,
    customer: SALES_COLUMNS.customer,
    unit_price: SALES_COLUMNS.unit_price,
    order_date: SALES_COLUMNS.order_date,
  },
  groupBy: ['region'],
  aggregates: {
    n: 'count',
    qty: 'sum(quantity)',
    avg_discount: 'avg(discount)',
    customers: 'count_distinct(customer)',
    min_price: 'min(unit_price)',
    last_order: 'max(order_date)',
  },
};

export type CsvItem = Extract<PartitionItem, { kind: 'csv' }>;

/**
 * csv-parse at its fastest for the same fields: the options csv-rows.ts's scanner reproduces, without
 * `info` and `raw` (which the scanner gives as well, and which halve csv-parse's rate). The baseline.
 */
export const CSV_ROWS_OPTIONS: Options = { ...CSV_PARSE_OPTIONS, info: false, raw: false };

export interface Pass {
  name: string;
  rows: number;
  ms: number;
}

const fileBytes = (path: string, item: CsvItem): Readable => createReadStream(path, { start: item.start, end: item.end - 1, highWaterMark: 1 << 16 });

async function timed(name: string, run: () => Promise<number>): Promise<Pass> {
  const started = performance.now();
  const rows = await run();
  return { name, rows, ms: performance.now() - started };
}

/** The typed row of a record, as transform-partition.ts's typedRow makes it; null for a reject. */
function typedRow(m: EtlManifest, fields: string[]): EtlValue[] | null {
  const csv = m.csv!;
  if (fields.length !== csv.header.length) return null;
  const values: EtlValue[] = [];
  for (let i = 0; i < m.spec.columns.length; i++) {
    const parsed = parseField(fields[csv.fieldIndexes[i]!]!, m.spec.columns[i]!.type);
    if (!parsed.ok) return null;
    values.push(parsed.value);
  }
  return values;
}

const countOnly = (spec: EtlSpec): EtlSpec => ({ ...spec, aggregates: [{ name: 'n', fn: 'count', column: null }] });

/**
 * Passes over the local file, each adding one piece of the transform to the one before. The passes run
 * in `rounds` interleaved rounds and each keeps its best, so a burst of load elsewhere on the machine
 * does not land on one piece only (and the first round warms the JIT).
 */
export async function localPasses(path: string, m: EtlManifest, item: CsvItem, rounds = 2): Promise<Pass[]> {
  // Batch by batch, as the transform reads them (partition-records.ts): no await per record.
  const eachRecord = async (visit: (r: CsvRecord) => void) => {
    for await (const batch of csvRecordBatches(fileBytes(path, item), { start: item.start, firstRow: item.firstRow, delimiter: m.csv!.delimiter })) for (const r of batch) visit(r);
  };
  const where = compileWhere(m.spec);
  const grouped = async (spec: EtlSpec) => {
    const groups = new GroupTable(aggregatePlan(spec));
    let rows = 0;
    await eachRecord((r) => {
      const values = typedRow(m, r.fields);
      if (values && where(values)) groups.add(values);
      rows++;
    });
    // What persist does with the groups at a checkpoint, without the PUT.
    for (const [, entries] of groups.drain(m.buckets)) JSON.stringify(entries);
    return rows;
  };
  const passes: { name: string; run: () => Promise<number> }[] = [
    {
      name: 'csv-parse alone, no info/raw (baseline)',
      run: async () => {
        let rows = 0;
        for await (const _ of fileBytes(path, item).pipe(parse({ ...CSV_ROWS_OPTIONS, delimiter: m.csv!.delimiter }))) rows++;
        return rows;
      },
    },
    {
      name: 'csvRecordBatches instead (+ rows, raw, offsets)',
      run: async () => {
        let rows = 0;
        await eachRecord(() => rows++);
        return rows;
      },
    },
    {
      name: '+ typed values of the spec columns',
      run: async () => {
        let rows = 0;
        await eachRecord((r) => {
          typedRow(m, r.fields);
          rows++;
        });
        return rows;
      },
    },
    { name: '+ where and grouping, count(*) only', run: () => grouped(countOnly(m.spec)) },
    { name: "+ the spec's aggregates instead", run: () => grouped(m.spec) },
  ];
  const best: Pass[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [i, pass] of passes.entries()) {
      const figure = await timed(pass.name, pass.run);
      if (!best[i] || figure.ms < best[i]!.ms) best[i] = figure;
    }
  }
  return best;
}

/** csvRecordBatches over the partition's bytes from S3 (one range GET, streamed), nothing else. */
export function s3RecordsPass(m: EtlManifest, item: CsvItem): Promise<Pass> {
  return timed('csvRecordBatches, bytes from S3 (range GET)', async () => {
    let rows = 0;
    const bytes = await getRangeStream(m.inputObject.key, item.start, item.end - 1);
    for await (const batch of csvRecordBatches(bytes, { start: item.start, firstRow: item.firstRow, delimiter: m.csv!.delimiter })) rows += batch.length;
    return rows;
  });
}

/**
 * transformPartition itself, in this process: S3 stream, typed rows, groups, partials and checkpoints
 * written. Its checkpoint is deleted first: a finished partition would otherwise resume at its end.
 */
export function inProcessTransformPass(m: EtlManifest, item: CsvItem): Promise<Pass> {
  return timed('transformPartition in process (all of it, S3 included)', async () => {
    await deleteKeys([etlKeys.checkpoint(m.jobId, item.index)]);
    const started = Date.now();
    const deadline = deadlineOf({ getRemainingTimeInMillis: () => 900_000 - (Date.now() - started) });
    const loop = await transformPartition(m, item, deadline, null);
    if (!loop.done) throw new Error('the in-process transform stopped at its deadline');
    return loop.result.counts.rowsIn;
  });
}

export interface MicroCost {
  name: string;
  nsPerRow: number;
}

/** Best of `repeat` runs of `work` over `rows` rows, in ns per row. */
function nsPerRow(rows: number, repeat: number, work: () => void): number {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return (best * 1e6) / rows;
}

/**
 * Over the partition's first `limit` records held in memory: each spec column's parseField, the group
 * key alone (count(*)), and each aggregate alone on top of it (its own cost: the difference). Over the
 * whole partition, so that an aggregate whose state grows with the data (count_distinct) shows its cost.
 */
export async function microCosts(path: string, m: EtlManifest, item: CsvItem, limit = Infinity): Promise<{ rows: number; columns: MicroCost[]; grouping: MicroCost; aggregates: MicroCost[] }> {
  const fields: string[][] = [];
  for await (const batch of csvRecordBatches(fileBytes(path, item), { start: item.start, firstRow: item.firstRow, delimiter: m.csv!.delimiter })) {
    for (const r of batch) if (fields.length < limit) fields.push(r.fields);
    if (fields.length >= limit) break;
  }
  const csv = m.csv!;
  const columns = m.spec.columns.map((column, i) => {
    const texts = fields.map((f) => f[csv.fieldIndexes[i]!]!);
    return { name: `${column.name} (${column.type.kind})`, nsPerRow: nsPerRow(texts.length, 2, () => texts.forEach((t) => parseField(t, column.type))) };
  });
  const rows = fields.map((f) => typedRow(m, f)).filter((r): r is EtlValue[] => r !== null);
  const over = (spec: EtlSpec) => nsPerRow(rows.length, 2, () => {
    const groups = new GroupTable(aggregatePlan(spec));
    for (const r of rows) groups.add(r);
  });
  const base = over(countOnly(m.spec));
  const aggregates = m.spec.aggregates.map((a) => ({
    name: `${a.name} = ${a.fn}(${a.column ?? '*'})`,
    nsPerRow: over({ ...m.spec, aggregates: [{ name: 'n', fn: 'count', column: null }, a] }) - base,
  }));
  return { rows: rows.length, columns, grouping: { name: 'group key + count(*)', nsPerRow: base }, aggregates };
}
