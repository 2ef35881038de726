// Writes the ETL pipeline's typed values (parquet-values.ts) as Parquet that DuckDB and Athena read with
// the column types of the spec:
//
//   kind            Parquet
//   string          BYTE_ARRAY STRING (UTF8)
//   int             INT64
//   float           DOUBLE
//   decimal(p,s)    DECIMAL(p,s) in INT32 (p <= 9), INT64 (p <= 18), else FIXED_LEN_BYTE_ARRAY of the
//                   fewest bytes that hold p digits (16 for p = 38)
//   bool            BOOLEAN
//   date            INT32 DATE
//   timestamp       INT64 TIMESTAMP(MICROS, adjusted to UTC)
//   nullable        OPTIONAL, else REQUIRED
//
// hyparquet-writer encodes (dictionary or plain, data page v2, statistics). Two ways in:
// writeParquet for a whole table in memory, and ParquetStreamWriter for millions of rows: it holds one
// row group of values at a time and hands each encoded group to a sink (a file, or the stream of an S3
// multipart upload) before taking more.
import * as zlib from 'node:zlib';
import type { Writable } from 'node:stream';
import { ByteWriter, ParquetWriter, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { InternalError } from '../lib/errors';
import type { ColumnKind, ColumnType } from './spec';
import { INT64_MAX, INT64_MIN, decimalByteLength, type EtlValue } from './parquet-values';

export interface ParquetColumnSpec {
  name: string;
  type: ColumnType;
}

export interface ParquetColumnData extends ParquetColumnSpec {
  /** One value a row, in the representation of parquet-values.ts. */
  values: readonly EtlValue[];
}

/**
 * SNAPPY is built into hyparquet-writer; GZIP uses node's zlib; ZSTD needs node's zlib zstd
 * (node >= 22.15, which Lambda's nodejs22.x has; not node 20).
 */
export type ParquetCompression = 'SNAPPY' | 'GZIP' | 'ZSTD' | 'UNCOMPRESSED';

export interface ParquetWriteOptions {
  /** Default SNAPPY. */
  compression?: ParquetCompression;
  /** Rows per row group (default 100,000): the unit a reader fetches and a stream writer holds. */
  rowGroupRows?: number;
}

export interface ParquetWriteSummary {
  rows: number;
  rowGroups: number;
  bytes: number;
}

export const DEFAULT_ROW_GROUP_ROWS = 100_000;

/** Written into the footer; Java readers look for "<app> version <v>" there. */
const CREATED_BY = 'longhaul version 0.1.0 (hyparquet-writer)';

const DATE_MIN = -(2 ** 31);
const DATE_MAX = 2 ** 31 - 1;

/** The whole table as one Parquet file in memory. */
export function writeParquet(columns: readonly ParquetColumnData[], options: ParquetWriteOptions = {}): Buffer {
  checkColumns(columns);
  const rows = columns[0]!.values.length;
  for (const column of columns) {
    if (column.values.length !== rows) {
      throw new InternalError(`Parquet column "${column.name}" has ${column.values.length} values, "${columns[0]!.name}" has ${rows}`);
    }
    const check = checker(column);
    column.values.forEach((value, row) => check(value, row));
  }
  const writer = new ByteWriter();
  const pq = new ParquetWriter({ writer, ...writerSettings(columns, options) });
  // Synchronous: ByteWriter has no flush, so hyparquet-writer never waits.
  void pq.write({ columnData: columnSources(columns, columns.map((c) => c.values)), rowGroupSize: rowGroupRows(options) });
  void pq.finish();
  return Buffer.from(writer.buffer, 0, writer.index);
}

/** Where a ParquetStreamWriter puts its bytes; `write` is awaited before more rows are encoded. */
export interface ParquetSink {
  write(bytes: Uint8Array): void | Promise<void>;
  /** Called once after the last bytes (flush and close the file, end the upload stream). */
  end?(): void | Promise<void>;
}

/**
 * A Node stream as a sink, with backpressure: for a file (`createWriteStream`), or for S3 through a
 * PassThrough given to `putStream` (the upload completes only when the stream ends).
 */
export function writableSink(stream: Writable): ParquetSink {
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  failed.catch(() => {});
  return {
    async write(bytes) {
      if (!stream.write(bytes)) await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), failed]);
    },
    async end() {
      await Promise.race([new Promise<void>((resolve) => stream.end(resolve)), failed]);
    },
  };
}

/** hyparquet-writer's writer, handing the bytes of each finished row group (and the footer) to a sink. */
class SinkWriter extends ByteWriter {
  constructor(private readonly sink: ParquetSink) {
    super(1 << 20);
  }

  flush(): Promise<void> {
    // A copy: the buffer is reused for the next row group while the sink may still hold these bytes.
    const bytes = this.getBytes().slice();
    this.index = 0;
    return Promise.resolve(this.sink.write(bytes));
  }

  override finish(): Promise<void> {
    return this.flush();
  }
}

/**
 * Writes rows in batches and keeps one row group of values in memory: each full group is encoded and
 * awaited into the sink before `writeRows` returns. Calls must not overlap; `close` writes the footer.
 */
export class ParquetStreamWriter {
  private readonly writer: SinkWriter;
  private readonly pq: ParquetWriter;
  private readonly checks: ((value: EtlValue, row: number) => void)[];
  private readonly groupRows: number;
  private pending: EtlValue[][];
  private rows = 0;
  private groups = 0;
  private state: 'open' | 'closed' | 'failed' = 'open';

  constructor(
    private readonly columns: readonly ParquetColumnSpec[],
    private readonly sink: ParquetSink,
    options: ParquetWriteOptions = {},
  ) {
    checkColumns(columns);
    this.groupRows = rowGroupRows(options);
    this.checks = columns.map(checker);
    this.pending = columns.map(() => []);
    this.writer = new SinkWriter(sink);
    this.pq = new ParquetWriter({ writer: this.writer, ...writerSettings(columns, options) });
  }

  /** Appends rows (values in the order of the columns); InternalError naming column and row for a value that does not fit its type. */
  async writeRows(rows: readonly (readonly EtlValue[])[]): Promise<void> {
    this.checkOpen();
    for (const row of rows) {
      if (row.length !== this.columns.length) {
        throw new InternalError(`Parquet row ${this.rows} has ${row.length} values for ${this.columns.length} columns`);
      }
      // The whole row is checked before any of it is kept: a refused row leaves the columns aligned.
      for (let c = 0; c < row.length; c++) this.checks[c]!(row[c], this.rows);
      for (let c = 0; c < row.length; c++) this.pending[c]!.push(row[c]);
      this.rows++;
      if (this.pending[0]!.length === this.groupRows) await this.flushGroup();
    }
  }

  /** Writes the last row group and the footer, then ends the sink. */
  async close(): Promise<ParquetWriteSummary> {
    this.checkOpen();
    if (this.pending[0]!.length > 0) await this.flushGroup();
    await this.guard(async () => {
      await this.pq.finish();
      await this.sink.end?.();
    });
    this.state = 'closed';
    return { rows: this.rows, rowGroups: this.groups, bytes: this.writer.offset };
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new InternalError(`ParquetStreamWriter used after it ${this.state === 'closed' ? 'was closed' : 'failed'}`);
  }

  private async flushGroup(): Promise<void> {
    const values = this.pending;
    this.pending = this.columns.map(() => []);
    await this.guard(() => this.pq.write({ columnData: columnSources(this.columns, values), rowGroupSize: values[0]!.length }));
    this.groups++;
  }

  // A failed sink leaves a file without a footer: no later call may pretend otherwise.
  private async guard(step: () => void | Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }
}

function rowGroupRows(options: ParquetWriteOptions): number {
  const rows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isSafeInteger(rows) || rows < 1) throw new InternalError(`rowGroupRows must be a positive integer, got ${rows}`);
  return rows;
}

function checkColumns(columns: readonly ParquetColumnSpec[]): void {
  if (columns.length === 0) throw new InternalError('A Parquet file needs at least one column');
  const seen = new Set<string>();
  for (const { name } of columns) {
    if (seen.has(name)) throw new InternalError(`Parquet column "${name}" is given twice`);
    seen.add(name);
  }
}

function columnSources(columns: readonly ParquetColumnSpec[], values: readonly (readonly EtlValue[])[]): ColumnSource[] {
  // hyparquet-writer only reads the arrays; its type says mutable.
  return columns.map((c, i) => ({ name: c.name, data: values[i] as EtlValue[] }));
}

type Compress = (input: Uint8Array) => Uint8Array;

function writerSettings(columns: readonly ParquetColumnSpec[], options: ParquetWriteOptions) {
  const codec = options.compression ?? 'SNAPPY';
  const compressors: { GZIP?: Compress; ZSTD?: Compress } = {};
  if (codec === 'GZIP') compressors.GZIP = (input) => zlib.gzipSync(input);
  if (codec === 'ZSTD') {
    // Typed by @types/node 20, which predates zlib's zstd.
    const zstd = (zlib as unknown as { zstdCompressSync?: Compress }).zstdCompressSync;
    if (!zstd) throw new InternalError(`ZSTD compression needs node >= 22.15 (this is ${process.version}); use SNAPPY or GZIP`);
    compressors.ZSTD = (input) => zstd(input);
  }
  const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length }, ...columns.map(schemaElement)];
  return { schema, codec, compressors, createdBy: CREATED_BY };
}

function schemaElement({ name, type }: ParquetColumnSpec): SchemaElement {
  const repetition_type = type.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (type.kind) {
    case 'string':
      return { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'int':
      return { name, repetition_type, type: 'INT64' };
    case 'float':
      return { name, repetition_type, type: 'DOUBLE' };
    case 'bool':
      return { name, repetition_type, type: 'BOOLEAN' };
    case 'date':
      return { name, repetition_type, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'timestamp':
      return {
        name,
        repetition_type,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MICROS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
      };
    case 'decimal': {
      const { precision, scale } = decimalOf(name, type);
      const physical: Pick<SchemaElement, 'type' | 'type_length'> =
        precision <= 9 ? { type: 'INT32' } : precision <= 18 ? { type: 'INT64' } : { type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalByteLength(precision) };
      return { name, repetition_type, ...physical, converted_type: 'DECIMAL', precision, scale, logical_type: { type: 'DECIMAL', precision, scale } };
    }
  }
}

function decimalOf(name: string, type: ColumnType): { precision: number; scale: number } {
  const { precision, scale } = type;
  if (precision === undefined || scale === undefined || precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    throw new InternalError(`Parquet column "${name}": decimal(${precision},${scale}) is not a decimal type`);
  }
  return { precision, scale };
}

const KIND_TEST: Record<ColumnKind, (v: NonNullable<EtlValue>) => boolean> = {
  string: (v) => typeof v === 'string',
  int: (v) => typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX,
  float: (v) => typeof v === 'number',
  bool: (v) => typeof v === 'boolean',
  date: (v) => Number.isInteger(v) && (v as number) >= DATE_MIN && (v as number) <= DATE_MAX,
  timestamp: (v) => typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX,
  decimal: () => true, // replaced per column by its precision
};

const WANT: Record<ColumnKind, string> = {
  string: 'a string',
  int: 'a bigint in the signed 64-bit range',
  float: 'a number',
  bool: 'a boolean',
  date: 'a whole number of days in the INT32 range',
  timestamp: 'a bigint of microseconds in the signed 64-bit range',
  decimal: '',
};

/**
 * The test of one column's values. A value that does not fit is a bug of the code that produced it
 * (the transform rejects bad input rows before they get here), hence InternalError.
 */
function checker(column: ParquetColumnSpec): (value: EtlValue, row: number) => void {
  const { name, type } = column;
  let test = KIND_TEST[type.kind];
  let want = WANT[type.kind];
  if (type.kind === 'decimal') {
    const { precision, scale } = decimalOf(name, type);
    const limit = 10n ** BigInt(precision);
    test = (v) => typeof v === 'bigint' && v > -limit && v < limit;
    want = `a bigint of at most ${precision} digits (the value times 10^${scale})`;
  }
  return (value, row) => {
    if (value === null) {
      if (!type.nullable) throw new InternalError(`Parquet column "${name}" is not nullable but row ${row} is null`);
    } else if (!test(value)) {
      const shown = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
      throw new InternalError(`Parquet column "${name}" row ${row}: ${typeof value} ${shown} is not ${want}`);
    }
  };
}
