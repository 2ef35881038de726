// The aggregates agree with DuckDB, the ETL's benchmark and oracle, wherever DuckDB is exact; where
// DuckDB rounds along the way (float sums, avg, stddev) they agree to within a few ulps.
import { expect } from 'chai';
import { aggregate } from '../../../../handlers/etl/aggregate/aggregates';
import { duckRows, useDuckDb } from '../../../support/duckdb';
import { seededRandom } from './oracle';

interface Row {
  i: bigint | null;
  d: bigint | null;
  f: number | null;
  s: string | null;
}

const SCALE = 2;
const WORDS = ['', 'a', 'Zürich', '\uFFFF', '😀', '東京', "o'clock", 'ab'];

function randomRows(count: number): Row[] {
  const rng = seededRandom(404);
  const maybe = <T>(make: () => T): T | null => (rng.next() < 0.1 ? null : make());
  return Array.from({ length: count }, () => ({
    i: maybe(() => BigInt(rng.int(-1e9, 1e9)) * BigInt(rng.int(1, 1e9))),
    d: maybe(() => BigInt(rng.int(-1e9, 1e9))),
    f: maybe(() => (rng.next() - 0.5) * 10 ** rng.int(-5, 5)),
    s: maybe(() => rng.pick(WORDS) + rng.pick(WORDS)),
  }));
}

function sqlLiteral(v: bigint | number | string | null, type: string): string {
  if (v === null) return `NULL::${type}`;
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  if (type.startsWith('DECIMAL')) return `(${v}::HUGEINT / 100)::${type}`;
  return `'${String(v)}'::${type}`;
}

describe('handlers/etl/aggregate agrees with DuckDB', () => {
  const duck = useDuckDb();
  const rows = randomRows(3000);

  before(async () => {
    await duck().run('CREATE TABLE t (i BIGINT, d DECIMAL(18,2), f DOUBLE, s VARCHAR)');
    const values = rows.map((r) => `(${sqlLiteral(r.i, 'BIGINT')}, ${sqlLiteral(r.d, 'DECIMAL(18,2)')}, ${sqlLiteral(r.f, 'DOUBLE')}, ${sqlLiteral(r.s, 'VARCHAR')})`);
    await duck().run(`INSERT INTO t VALUES ${values.join(', ')}`);
  });

  function ours<K extends 'int' | 'decimal' | 'float' | 'string'>(fn: Parameters<typeof aggregate>[0], kind: K, column: keyof Row): unknown {
    const acc = aggregate(fn, kind === 'decimal' ? { kind, precision: 18, scale: SCALE } : { kind }).create();
    for (const row of rows) (acc.add as (v: unknown) => void)(row[column]);
    return acc.result();
  }

  async function theirs(sql: string): Promise<unknown> {
    const [row] = await duckRows(duck(), `SELECT ${sql} AS v FROM t`);
    const v = row!.v;
    // DuckDB returns DECIMAL as an object holding the unscaled bigint, and counts as bigints.
    if (typeof v === 'object' && v !== null && 'value' in v) return v.value;
    return typeof v === 'bigint' && /count/.test(sql) ? Number(v) : v;
  }

  it('exactly: counts, distinct counts, integer and decimal sums, min and max', async () => {
    const countStar = aggregate('count', null).create();
    for (const _ of rows) countStar.add(null);
    const exact: [string, unknown][] = [
      ['count(*)', countStar.result()],
      ['count(i)', ours('count', 'int', 'i')],
      ['count(DISTINCT s)', ours('count_distinct', 'string', 's')],
      ['count(DISTINCT f)', ours('count_distinct', 'float', 'f')],
      ['sum(i)', ours('sum', 'int', 'i')],
      ['sum(d)', ours('sum', 'decimal', 'd')],
      ['min(i)', ours('min', 'int', 'i')],
      ['max(d)', ours('max', 'decimal', 'd')],
      ['min(f)', ours('min', 'float', 'f')],
      ['max(f)', ours('max', 'float', 'f')],
      ['min(s)', ours('min', 'string', 's')],
      ['max(s)', ours('max', 'string', 's')],
    ];
    for (const [sql, value] of exact) expect(await theirs(sql), sql).to.equal(value);
  });

  it('to within rounding: float sums, averages and standard deviations', async () => {
    const close: [string, unknown][] = [
      ['sum(f)', ours('sum', 'float', 'f')],
      ['avg(f)', ours('avg', 'float', 'f')],
      ['avg(i)', ours('avg', 'int', 'i')],
      ['avg(d)', ours('avg', 'decimal', 'd')],
      ['stddev(i)', ours('stddev', 'int', 'i')],
      ['stddev(d)', ours('stddev', 'decimal', 'd')],
      ['stddev(f)', ours('stddev', 'float', 'f')],
    ];
    for (const [sql, value] of close) {
      const expected = Number(await theirs(sql));
      expect(value as number, sql).to.be.closeTo(expected, Math.abs(expected) * 1e-12);
    }
  });
});
