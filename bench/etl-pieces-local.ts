// The transform's per-row pieces (bench/etl-pieces.ts) on a generated sales CSV, in this process and
// without the local stack: a minute's measure of the CSV scanner, typed values and aggregates against
// csv-parse, for work on any of them (bench/etl.ts measures them too, with a worker and end to end).
//   node --import tsx bench/etl-pieces-local.ts [--rows N (1,200,000: bench/etl.ts's 1/10 file)] [--micro-rows N (300,000)]
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EtlManifest } from '../handlers/etl/manifest';
import { etlSpecSchema } from '../handlers/etl/spec';
import { SALES_COLUMNS, writeSalesCsv } from '../local/data/sales-generator';
import { localPasses, microCosts, SALES_SPEC, type CsvItem } from './etl-pieces';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1200000' }, 'micro-rows': { type: 'string', default: '300000' } } });
const dir = await mkdtemp(join(tmpdir(), 'longhaul-bench-pieces-'));
try {
  const path = join(dir, 'sales.csv');
  await writeSalesCsv(path, { rows: Number(values.rows), seed: 1 });
  const header = Object.keys(SALES_COLUMNS);
  const spec = etlSpecSchema.parse(SALES_SPEC);
  const dataStart = Buffer.byteLength(`${header.join(',')}\n`);
  // The manifest fields the pieces read: what plan would write for this file.
  const m = { jobId: 'pieces', buckets: 4, spec, csv: { delimiter: ',', header, fieldIndexes: spec.columns.map((c) => header.indexOf(c.name)), dataStart } } as unknown as EtlManifest;
  const item: CsvItem = { kind: 'csv', index: 0, start: dataStart, end: (await stat(path)).size, firstRow: 2 };
  const usPerRow = (ms: number, rows: number) => (ms * 1000) / rows;
  console.log(`${Number(values.rows).toLocaleString('en-US')} rows of sales, ${((item.end - item.start) / 1e6).toFixed(1)} MB; best of 2 interleaved rounds`);
  const passes = await localPasses(path, m, item);
  let previous: number | undefined;
  for (const p of passes) {
    const us = usPerRow(p.ms, p.rows);
    const added = previous === undefined ? '' : `  ${us - previous >= 0 ? '+' : ''}${(us - previous).toFixed(2)} us/row`;
    console.log(`  ${p.name.padEnd(50)} ${us.toFixed(2).padStart(6)} us/row ${Math.round((p.rows / p.ms) * 1000).toLocaleString('en-US').padStart(9)} rows/s${added}`);
    previous = us;
  }
  const baseline = passes[0]!;
  const all = passes.at(-1)!;
  console.log(`  the transform's pieces against csv-parse alone: ${(usPerRow(baseline.ms, baseline.rows) / usPerRow(all.ms, all.rows)).toFixed(2)}x its rate`);
  const micro = await microCosts(path, m, item, Number(values['micro-rows']));
  console.log(`per row, over the first ${micro.rows.toLocaleString('en-US')} rows held in memory:`);
  for (const c of [...micro.columns, micro.grouping, ...micro.aggregates]) console.log(`  ${c.name.padEnd(40)} ${(c.nsPerRow / 1000).toFixed(3)} us`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
