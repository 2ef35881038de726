// The sales generator, read back by DuckDB (an independent CSV reader) with the types an ETL spec gives it.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { writeSalesCsv } from '../../../local/data/sales-generator';
import { duckRows, useDuckDb } from '../../support/duckdb';

const DUCK_TYPES = "{'order_id': 'BIGINT', 'order_date': 'TIMESTAMP', 'region': 'VARCHAR', 'product': 'VARCHAR', 'quantity': 'BIGINT', 'unit_price': 'DECIMAL(10,2)', 'discount': 'DOUBLE', 'customer': 'VARCHAR', 'returned': 'BOOLEAN'}";
const read = (path: string, extra = '') =>
  `read_csv('${path}', header = true, delim = ',', quote = '"', escape = '"', columns = ${DUCK_TYPES}, timestampformat = '%Y-%m-%d %H:%M:%S'${extra})`;

describe('local/data/sales-generator (read back by DuckDB)', function () {
  this.timeout(60_000);
  const duck = useDuckDb();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-sales-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes every row with the declared types, quoted newlines and non-ASCII included', async () => {
    const path = join(dir, 'clean.csv');
    const file = await writeSalesCsv(path, { rows: 5000, seed: 7 });
    expect(file.defects).to.deep.equal([]);
    const [stats] = await duckRows(duck(), `select count(*) as n, min(order_id) as lo, max(order_id) as hi, count(distinct order_id) as ids,
      count(*) filter (where product like '%' || chr(10) || '%') as multiline, count(*) filter (where region = 'São Paulo') as sao,
      count(*) filter (where quantity is null) as nulls from ${read(path)}`);
    expect(stats).to.deep.include({ n: 5000n, lo: 1n, hi: 5000n, ids: 5000n });
    expect(Number(stats!.multiline)).to.be.greaterThan(0);
    expect(Number(stats!.sao)).to.be.greaterThan(0);
    expect(Number(stats!.nulls)).to.be.greaterThan(0);
  });

  it('gives the same bytes for the same seed, other bytes for another', async () => {
    const hash = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');
    await writeSalesCsv(join(dir, 'a.csv'), { rows: 2000, seed: 3, dirty: true });
    await writeSalesCsv(join(dir, 'b.csv'), { rows: 2000, seed: 3, dirty: true });
    await writeSalesCsv(join(dir, 'c.csv'), { rows: 2000, seed: 4, dirty: true });
    expect(await hash(join(dir, 'a.csv'))).to.equal(await hash(join(dir, 'b.csv')));
    expect(await hash(join(dir, 'a.csv'))).to.not.equal(await hash(join(dir, 'c.csv')));
  });

  it('with dirty, the defects stay inside their rows: DuckDB keeps every clean row and rejects the malformed ones', async () => {
    const path = join(dir, 'dirty.csv');
    const file = await writeSalesCsv(path, { rows: 4000, seed: 11, dirty: true, dirtyEvery: 20 });
    expect(new Set(file.defects.map((d) => d.defect)).size).to.equal(6);
    const kept = new Set((await duckRows(duck(), `select order_id from ${read(path, ', ignore_errors = true')}`)).map((r) => Number(r.order_id)));
    const dirty = new Set(file.defects.map((d) => d.row));
    const clean = Array.from({ length: 4000 }, (_, i) => i + 1).filter((row) => !dirty.has(row));
    expect(clean.filter((row) => !kept.has(row))).to.deep.equal([]);
    // DuckDB's reader drops rows of the wrong width on its own; typed values (bad numbers, dates, UTF-8) are the loader's to catch.
    const malformed = file.defects.filter((d) => d.defect === 'ragged' || d.defect === 'extra-field').map((d) => d.row);
    expect(malformed.length).to.be.greaterThan(0);
    expect(malformed.filter((row) => kept.has(row))).to.deep.equal([]);
  });
});
