// Reads a training dataset, CSV or Parquet, from S3 or a local file, into typed columns
// (dataset-columns.ts). Two steps, so the caller can check the job against the file's columns (and say
// which are missing) before any row is read: openDataset reads the header or the footer only, then
// `read` reads the columns asked for.
//
// CSV is parsed by csv-parse with the ETL's rules (CSV_PARSE_OPTIONS: RFC 4180 quotes, CRLF or LF,
// blank lines counted as rows) and the ETL's delimiter detection; every field is text. Parquet goes
// through the ETL's reader, its typed values becoming numbers (int, float, decimal, and dates as days
// and timestamps as seconds since 1970), booleans or text.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { readFileRange } from '../lib/file-range';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { InputNotFound, InternalError, InvalidInput } from '../lib/errors';
import { getRange, getStream, head } from '../lib/s3';
import { CSV_PARSE_OPTIONS } from '../etl/csv-rows';
import { readHeaderFrom } from '../etl/csv-header';
import type { ReadRange } from '../etl/csv-bytes';
import { openFileParquetSource, openS3ParquetSource, type ParquetSource } from '../etl/parquet-source';
import { readParquetLayout, readRowGroupRows, type ParquetLayout } from '../etl/parquet-read';
import type { EtlValue } from '../etl/parquet-values';
import type { ColumnKind as EtlKind } from '../etl/spec';
import { ColumnBuilder, float64s, type ColumnKind, type DatasetTable } from './dataset-columns';
import type { RawValue } from './dataset-values';

export type DatasetFormat = 'csv' | 'parquet';

/** An S3 object of the job bucket, or a local file (tests, `longhaul predict`). */
export type DatasetSource = { key: string; format?: DatasetFormat } | { path: string; format?: DatasetFormat };

export interface ColumnRequest {
  name: string;
  /** The kind the job asked for; omitted to infer it from the values. */
  kind?: ColumnKind;
}

export interface DatasetFile {
  /** The S3 key or path, for messages. */
  source: string;
  format: DatasetFormat;
  /** The file's columns in file order. */
  columns: string[];
  /** Reads the requested columns (each must be one of `columns`) of every row. */
  read(requests: readonly ColumnRequest[]): Promise<DatasetTable>;
}

/** The format named by the source, or by its extension; InvalidInput when neither says. */
export function datasetFormat(source: DatasetSource): DatasetFormat {
  if (source.format) return source.format;
  const name = 'key' in source ? source.key : source.path;
  if (/\.(csv|tsv|txt)$/i.test(name)) return 'csv';
  if (/\.(parquet|pq)$/i.test(name)) return 'parquet';
  throw new InvalidInput(`Cannot tell the format of ${name}: name it .csv or .parquet, or give the format`, { key: name });
}

export async function openDataset(source: DatasetSource): Promise<DatasetFile> {
  const format = datasetFormat(source);
  return format === 'csv' ? openCsv(source) : openParquet(source);
}

function builders(file: { source: string; columns: string[] }, requests: readonly ColumnRequest[]): ColumnBuilder[] {
  return requests.map((r) => {
    if (!file.columns.includes(r.name)) throw new InternalError(`Column "${r.name}" was requested but ${file.source} has no such column`);
    return new ColumnBuilder(r.name, file.source, r.kind);
  });
}

function table(file: { source: string; columns: string[] }, columns: ColumnBuilder[], rowNumbers: Float64Array): DatasetTable {
  return { source: file.source, fileColumns: file.columns, rows: rowNumbers.length, rowNumbers, columns: new Map(columns.map((b) => [b.name, b.build()])) };
}

// --- CSV ---

interface ByteSource {
  name: string;
  size: number;
  readRange: ReadRange;
  stream(): Promise<Readable>;
}

async function csvBytes(source: DatasetSource): Promise<ByteSource> {
  if ('key' in source) {
    const { key } = source;
    const info = await head(key);
    if (!info) throw new InputNotFound(`Object not found: ${key}`, { key });
    return { name: key, size: info.size, readRange: (s, e) => getRange(key, s, e), stream: () => getStream(key) };
  }
  const { path } = source;
  const size = await stat(path).then(
    (s) => s.size,
    (err: unknown) => {
      throw new InputNotFound(`File not found: ${path}`, { key: path }, { cause: err });
    },
  );
  const readRange: ReadRange = (start, endInclusive) => readFileRange(path, start, endInclusive);
  return { name: path, size, readRange, stream: async () => createReadStream(path) };
}

async function openCsv(source: DatasetSource): Promise<DatasetFile> {
  const bytes = await csvBytes(source);
  const header = await readHeaderFrom(bytes.readRange, bytes.size, { key: bytes.name });
  const file = { source: bytes.name, columns: header.columns };
  const seen = new Set<string>();
  for (const name of header.columns) {
    if (name.trim() === '') throw new InvalidInput(`${bytes.name}: the header has a column without a name (columns: ${header.columns.join(', ')})`, { key: bytes.name, row: 1 });
    if (seen.has(name)) throw new InvalidInput(`${bytes.name}: the header names column "${name}" twice`, { key: bytes.name, row: 1, field: name });
    seen.add(name);
  }
  return {
    ...file,
    format: 'csv',
    async read(requests) {
      const columns = builders(file, requests);
      const indexes = requests.map((r) => header.columns.indexOf(r.name));
      const rowNumbers = float64s();
      const parser = parse({ ...CSV_PARSE_OPTIONS, raw: false, info: false, bom: true, delimiter: header.delimiter });
      let row = 0;
      // Our own error, kept: pipeline may report the abort it causes instead.
      let refused: InvalidInput | undefined;
      const refuse = (err: InvalidInput) => {
        refused = err;
        throw err;
      };
      await pipeline(await bytes.stream(), parser, async (records: AsyncIterable<string[]>) => {
        for await (const fields of records) {
          row++;
          if (row === 1) continue; // the header, read above
          if (fields.length === 1 && fields[0] === '' && header.columns.length > 1) continue; // a blank line
          if (fields.length !== header.columns.length) {
            refuse(new InvalidInput(`${bytes.name}: row ${row} has ${fields.length} fields where the header has ${header.columns.length}`, { key: bytes.name, row }));
          }
          try {
            for (let c = 0; c < columns.length; c++) columns[c]!.push(fields[indexes[c]!], row);
          } catch (err) {
            if (err instanceof InvalidInput) refuse(err);
            throw err;
          }
          rowNumbers.push(row);
        }
      }).catch((err: unknown) => {
        if (refused) throw refused;
        if (err instanceof InvalidInput || err instanceof InputNotFound) throw err;
        // csv-parse's own complaints (an unclosed quote at the end) are about the file.
        if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('CSV_')) {
          throw new InvalidInput(`${bytes.name} is not readable CSV: ${err.message}`, { key: bytes.name }, { cause: err });
        }
        throw err;
      });
      return table(file, columns, rowNumbers.done());
    },
  };
}

// --- Parquet ---

async function openParquet(source: DatasetSource): Promise<DatasetFile> {
  let parquet: ParquetSource;
  if ('key' in source) {
    parquet = await openS3ParquetSource(source.key);
  } else {
    const { path } = source;
    parquet = await openFileParquetSource(path).catch((err: unknown) => {
      throw new InputNotFound(`File not found: ${path}`, { key: path }, { cause: err });
    });
  }
  const layout = await readParquetLayout(parquet);
  const file = { source: parquet.key, columns: layout.columns.map((c) => c.name) };
  return {
    ...file,
    format: 'parquet',
    async read(requests) {
      const columns = builders(file, requests);
      const converts = requests.map((r) => parquetConverter(layout, r.name));
      const rowNumbers = float64s();
      for (const group of layout.rowGroups) {
        await readRowGroupRows(parquet, layout, group.index, requests.map((r) => r.name), ({ firstRow, rows }) => {
          for (let r = 0; r < rows.length; r++) {
            const values = rows[r]!;
            const row = firstRow + r + 1;
            for (let c = 0; c < columns.length; c++) columns[c]!.push(converts[c]!(values[c]!), row);
            rowNumbers.push(row);
          }
        });
      }
      return table(file, columns, rowNumbers.done());
    },
  };
}

/** From the ETL reader's exact values (parquet-values.ts) to what a model input can be. */
function parquetConverter(layout: ParquetLayout, name: string): (v: EtlValue) => RawValue {
  const type = layout.columns.find((c) => c.name === name)!.type;
  // Unsupported columns: readRowGroupRows refuses them by name.
  const kind: EtlKind | 'unsupported' = type.kind;
  switch (kind) {
    case 'int':
      return (v) => (typeof v === 'bigint' ? Number(v) : v);
    case 'decimal': {
      const scale = type.kind === 'decimal' ? (type.scale ?? 0) : 0;
      // Through text, so the double is the correctly rounded value of the decimal, not unscaled / 10^s.
      return (v) => (typeof v === 'bigint' ? Number(`${v}e-${scale}`) : v);
    }
    case 'timestamp':
      return (v) => (typeof v === 'bigint' ? Number(v) / 1e6 : v);
    default:
      return (v) => v;
  }
}
