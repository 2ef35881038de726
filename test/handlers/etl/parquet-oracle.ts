// DuckDB as the independent oracle of the Parquet tests: it writes the fixtures our reader must read,
// reads what our writer wrote, and its values are turned into our representation (parquet-values.ts)
// so the two compare value by value.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { ColumnKind } from '../../../handlers/etl/spec';
import { floorDiv, type EtlValue } from '../../../handlers/etl/parquet-values';
import { readRowGroupRows, type ParquetLayout, type ReadRowsOptions } from '../../../handlers/etl/parquet-read';
import type { ParquetSource } from '../../../handlers/etl/parquet-source';
import { useDuckDb } from '../../support/duckdb';

export interface Oracle {
  /** A temp folder of this test file, removed after it. */
  dir: string;
  rows(sql: string): Promise<Record<string, DuckDBValue>[]>;
  run(sql: string): Promise<void>;
  /** `describe` of the file: column name → DuckDB type. */
  types(path: string): Promise<Record<string, string>>;
}

/** DuckDB (test/support/duckdb) and a temp folder for one test file (mocha before/after). */
export function useOracle(): () => Oracle {
  const duckdb = useDuckDb();
  let oracle: Oracle | undefined;
  before(async () => {
    const con = duckdb();
    // Timestamps with time zone print in UTC, whatever this machine's zone.
    await con.run("SET TimeZone = 'UTC'");
    const rows = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjects();
    oracle = {
      dir: await mkdtemp(join(tmpdir(), 'longhaul-parquet-')),
      rows,
      run: async (sql) => {
        await con.run(sql);
      },
      types: async (path) => {
        const described = await rows(`describe select * from read_parquet(${quote(path)})`);
        return Object.fromEntries(described.map((r) => [String(r.column_name), String(r.column_type)]));
      },
    };
  });
  after(async () => {
    if (oracle) await rm(oracle.dir, { recursive: true, force: true });
  });
  return () => {
    if (!oracle) throw new Error('useOracle: only inside tests');
    return oracle;
  };
}

/** A string literal for SQL. */
export function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A DuckDB value in our representation for a column of `kind`. */
export function fromDuckDB(v: DuckDBValue, kind: ColumnKind): EtlValue {
  if (v === null) return null;
  if (v instanceof DuckDBDecimalValue) return v.value;
  if (v instanceof DuckDBDateValue) return v.days;
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return v.micros;
  if (v instanceof DuckDBTimestampMillisecondsValue) return v.millis * 1000n;
  if (v instanceof DuckDBTimestampSecondsValue) return v.seconds * 1_000_000n;
  if (v instanceof DuckDBTimestampNanosecondsValue) return floorDiv(v.nanos, 1000n);
  // DuckDB returns INTEGER and smaller as numbers; our int is always a bigint.
  if (kind === 'int' && typeof v === 'number') return BigInt(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  throw new Error(`no ETL value for DuckDB value ${String(v)} (${kind})`);
}

/** DuckDB's rows of the file from `firstRow` (file order), `columns` in our representation. */
export async function duckdbRows(oracle: Oracle, path: string, columns: readonly { name: string; kind: ColumnKind }[], firstRow = 0, count = Number.MAX_SAFE_INTEGER): Promise<EtlValue[][]> {
  const list = columns.map((c) => `"${c.name}"`).join(', ');
  const rows = await oracle.rows(
    `select ${list} from read_parquet(${quote(path)}, file_row_number = true) where file_row_number >= ${firstRow} and file_row_number < ${firstRow + Math.min(count, 2 ** 52)} order by file_row_number`,
  );
  return rows.map((row) => columns.map((c) => fromDuckDB(row[c.name] ?? null, c.kind)));
}

/** All rows our reader returns for one row group, and the batches they came in. */
export async function readerRows(source: ParquetSource, layout: ParquetLayout, group: number, columns: readonly string[], options?: ReadRowsOptions): Promise<{ rows: EtlValue[][]; firstRows: number[] }> {
  const rows: EtlValue[][] = [];
  const firstRows: number[] = [];
  await readRowGroupRows(
    source,
    layout,
    group,
    columns,
    (batch) => {
      firstRows.push(batch.firstRow);
      for (const row of batch.rows) rows.push(row);
    },
    options,
  );
  return { rows, firstRows };
}

/** The kind of each named column in the layout (throws on unsupported: a test bug). */
export function kindsOf(layout: ParquetLayout, names: readonly string[]): { name: string; kind: ColumnKind }[] {
  return names.map((name) => {
    const type = layout.columns.find((c) => c.name === name)?.type;
    if (!type || type.kind === 'unsupported') throw new Error(`column ${name} is not readable`);
    return { name, kind: type.kind };
  });
}
