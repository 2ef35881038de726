// Reads Parquet for the ETL pipeline: the layout from the footer alone (so the planner can split the
// work by row group without reading data), then one row group's rows in bounded batches, as the typed
// values of parquet-values.ts.
//
// hyparquet decodes, with three corrections so that values stay exact:
// - DECIMAL: hyparquet returns a double (`Number(unscaled) * 10^-scale`), which loses digits past 2^53.
//   Our column decoder gives it the column without its DECIMAL annotation, so it returns the stored
//   integers (INT32, INT64) or bytes (FIXED_LEN_BYTE_ARRAY, BYTE_ARRAY), which we read as bigints.
// - DATE and TIMESTAMP: hyparquet makes Date objects (milliseconds; and it truncates micros toward zero,
//   which moves instants before 1970 by up to a millisecond). Its `parsers` hook gets the raw days and
//   bigint units instead.
// - `utf8: false`, so an unannotated BYTE_ARRAY (a decimal stripped as above) stays bytes; STRING/UTF8
//   columns are decoded as UTF-8 either way, ENUM ones by us.
import { parquetMetadata, parquetSchema, type ColumnChunk, type FileMetaData, type ParquetParsers, type SchemaElement, type SchemaTree } from 'hyparquet';
// hyparquet's page decoder and type conversion, which its package exports (./src/*.js) but its index
// does not: the version is pinned, and the tests against DuckDB would catch a change.
import { parquetHeader, readPage } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS, convert } from 'hyparquet/src/convert.js';
import { getTreePath } from 'hyparquet/src/schema.js';
import { compressors } from 'hyparquet-compressors';
import { InternalError, InvalidInput } from '../lib/errors';
import type { ParquetSource } from './parquet-source';
import { MAX_DECIMAL_PRECISION, type ColumnKind, type ColumnType } from './spec';
import { bigintFromBytes, floorDiv, type EtlValue } from './parquet-values';

/** A column this reader cannot turn into an ETL value, and why (the Parquet type is in `parquetType`). */
export interface UnsupportedType {
  kind: 'unsupported';
  nullable: boolean;
  reason: string;
}

export type ParquetColumnType = ColumnType | UnsupportedType;

export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
  /** The Parquet type as written in the file, for messages: `INT64 TIMESTAMP(MICROS, local)`. */
  parquetType: string;
}

export interface ParquetRowGroup {
  index: number;
  /** Index in the file of the group's first row (the rows of all earlier groups). */
  firstRow: number;
  rowCount: number;
  /** Compressed bytes of all its column chunks: what reading the whole group fetches. */
  compressedBytes: number;
}

export interface ParquetLayout {
  key: string;
  byteLength: number;
  totalRows: number;
  /** The top-level columns in file order. */
  columns: ParquetColumn[];
  rowGroups: ParquetRowGroup[];
  createdBy?: string;
  /** The decoded footer, which readRowGroupRows needs (it holds bigints: not for a state payload). */
  metadata: FileMetaData;
}

const MAGIC = 'PAR1';
const ENCRYPTED_MAGIC = 'PARE';
/** Bytes read from the end first: most footers fit (flights-3m's 11 row groups take 5 KB). */
const TAIL_BYTES = 64 * 1024;
/** "PAR1" at the start, footer length and "PAR1" at the end. */
const MIN_FILE_BYTES = 12;

function ascii(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/**
 * The file's columns, row groups and row count, from its footer: one ranged read of the last 64 KiB
 * and the first 4 bytes (two more only for a larger footer). InvalidInput naming the key when the
 * object is not Parquet, is truncated or has a corrupt footer.
 */
export async function readParquetLayout(source: ParquetSource): Promise<ParquetLayout> {
  const { key, byteLength } = source;
  const bad = (why: string, cause?: unknown) => new InvalidInput(`${key} is not a readable Parquet file: ${why}`, { key }, { cause });
  if (byteLength < MIN_FILE_BYTES) throw bad(`it has ${byteLength} bytes, fewer than the ${MIN_FILE_BYTES} of an empty Parquet file`);

  const tailStart = Math.max(0, byteLength - TAIL_BYTES);
  const [head, tail] = await Promise.all([source.slice(0, 4), source.slice(tailStart, byteLength)]);
  const end = ascii(new Uint8Array(tail, tail.byteLength - 4));
  if (end === ENCRYPTED_MAGIC) throw bad('its footer is encrypted (PARE), which is not supported');
  if (end !== MAGIC) throw bad(`it does not end with "${MAGIC}" (not Parquet, or truncated)`);
  if (ascii(new Uint8Array(head)) !== MAGIC) throw bad(`it does not start with "${MAGIC}"`);

  const footerLength = new DataView(tail).getUint32(tail.byteLength - 8, true);
  const footerStart = byteLength - 8 - footerLength;
  if (footerStart < 4) throw bad(`its footer claims ${footerLength} bytes, more than the file holds (truncated or corrupt)`);
  let footer: Uint8Array;
  if (footerStart >= tailStart) {
    footer = new Uint8Array(tail, footerStart - tailStart, footerLength + 8);
  } else {
    const rest = new Uint8Array(await source.slice(footerStart, tailStart));
    footer = new Uint8Array(footerLength + 8);
    footer.set(rest);
    footer.set(new Uint8Array(tail), rest.length);
  }

  let metadata: FileMetaData;
  try {
    // parquetMetadata wants exactly "footer, length, PAR1" in a buffer of its own.
    metadata = parquetMetadata(footer.slice().buffer, { geoparquet: false });
  } catch (err) {
    throw bad(`its footer cannot be decoded (${err instanceof Error ? err.message : String(err)})`, err);
  }
  return layoutOf(key, byteLength, footerStart, metadata, bad);
}

function layoutOf(key: string, byteLength: number, footerStart: number, metadata: FileMetaData, bad: (why: string) => InvalidInput): ParquetLayout {
  if (!metadata.schema[0]) throw bad('its footer has no schema');
  const columns = topLevelColumns(metadata, bad);
  const leaves = metadata.schema.slice(1).filter((el) => !el.num_children).length;

  const rowGroups: ParquetRowGroup[] = [];
  let firstRow = 0;
  metadata.row_groups.forEach((group, index) => {
    const rowCount = Number(group.num_rows);
    if (!Number.isSafeInteger(rowCount) || rowCount < 0) throw bad(`row group ${index} has ${group.num_rows} rows`);
    if (group.columns.length !== leaves) throw bad(`row group ${index} has ${group.columns.length} column chunks for ${leaves} columns`);
    let compressedBytes = 0;
    for (const chunk of group.columns) {
      if (chunk.file_path) throw bad(`row group ${index} keeps a column in another file (${chunk.file_path}), which is not supported`);
      if (!chunk.meta_data) throw bad(`row group ${index} has a column chunk without metadata`);
      const { start, end } = chunkRange(chunk);
      // A chunk outside the data area means a corrupt footer, or a file cut and re-terminated.
      if (start < 4 || end > footerStart) throw bad(`row group ${index} points at bytes ${start}-${end} outside its data (4-${footerStart})`);
      compressedBytes += end - start;
    }
    rowGroups.push({ index, firstRow, rowCount, compressedBytes });
    firstRow += rowCount;
  });
  if (BigInt(firstRow) !== metadata.num_rows) throw bad(`its row groups hold ${firstRow} rows but the footer says ${metadata.num_rows}`);
  return { key, byteLength, totalRows: firstRow, columns, rowGroups, createdBy: metadata.created_by, metadata };
}

/** Where a chunk's bytes are, after layoutOf checked it has metadata and lives in this file. */
function chunkRange(chunk: ColumnChunk): { start: number; end: number } {
  const meta = chunk.meta_data!;
  // As hyparquet does: the chunk starts at its dictionary page when it has one (0 from some writers means none).
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size) };
}

/** The root's children; a nested column (struct, list, map) is listed as unsupported with all its leaves skipped. */
function topLevelColumns(metadata: FileMetaData, bad: (why: string) => InvalidInput): ParquetColumn[] {
  const { schema } = metadata;
  const columns: ParquetColumn[] = [];
  let i = 1;
  const skipSubtree = (): void => {
    const el = schema[i++];
    if (!el) throw bad('its schema is shorter than its elements claim');
    for (let c = 0; c < (el.num_children ?? 0); c++) skipSubtree();
  };
  for (let c = 0; c < (schema[0]!.num_children ?? 0); c++) {
    const el = schema[i];
    if (!el) throw bad('its schema is shorter than its root claims');
    const gap = hyparquetGap(el, metadata);
    const type = gap ? { kind: 'unsupported' as const, nullable: el.repetition_type !== 'REQUIRED', reason: gap } : columnTypeOf(el);
    columns.push({ name: el.name, type, parquetType: describeParquetType(el) });
    skipSubtree();
  }
  if (i !== schema.length) throw bad(`its schema has ${schema.length - i} elements outside the root`);
  return columns;
}

function describeParquetType(el: SchemaElement): string {
  if (el.num_children) return `group (${el.logical_type?.type ?? el.converted_type ?? 'struct'})`;
  const physical = el.type === 'FIXED_LEN_BYTE_ARRAY' ? `FIXED_LEN_BYTE_ARRAY(${el.type_length})` : String(el.type);
  const lt = el.logical_type;
  let note: string | undefined = el.converted_type;
  if (lt?.type === 'DECIMAL') note = `DECIMAL(${lt.precision},${lt.scale})`;
  else if (lt?.type === 'TIMESTAMP' || lt?.type === 'TIME') note = `${lt.type}(${lt.unit}, ${lt.isAdjustedToUTC ? 'UTC' : 'local'})`;
  else if (lt?.type === 'INTEGER') note = `INTEGER(${lt.bitWidth}, ${lt.isSigned ? 'signed' : 'unsigned'})`;
  else if (lt) note = lt.type;
  else if (note === 'DECIMAL') note = `DECIMAL(${el.precision},${el.scale ?? 0})`;
  const repeated = el.repetition_type === 'REPEATED' ? 'repeated ' : '';
  return `${repeated}${physical}${note ? ` ${note}` : ''}`;
}

function isDecimal(el: SchemaElement): boolean {
  return el.logical_type?.type === 'DECIMAL' || el.converted_type === 'DECIMAL';
}

const SIGNED_INTS = new Set(['INT_8', 'INT_16', 'INT_32', 'INT_64']);
const UNSIGNED_INTS = new Set(['UINT_8', 'UINT_16', 'UINT_32']);

/** Which ETL kind a leaf column reads as; a reason naming what it is when none fits. */
function kindOf(el: SchemaElement): Omit<ColumnType, 'nullable'> | string {
  if (el.num_children) return 'nested columns (struct, list, map) are not supported';
  if (el.repetition_type === 'REPEATED') return 'repeated columns are not supported';
  const lt = el.logical_type;
  const ct = el.converted_type;
  if (isDecimal(el)) {
    const precision = lt?.type === 'DECIMAL' ? lt.precision : el.precision;
    const scale = lt?.type === 'DECIMAL' ? lt.scale : (el.scale ?? 0);
    if (!precision || precision > MAX_DECIMAL_PRECISION || scale > precision || scale < 0) {
      return `DECIMAL(${precision},${scale}) does not fit decimal(p,s) with p <= ${MAX_DECIMAL_PRECISION}`;
    }
    return { kind: 'decimal', precision, scale };
  }
  const annotation = lt?.type ?? ct;
  switch (el.type) {
    case 'BOOLEAN':
      return annotation ? `BOOLEAN ${annotation} is not supported` : { kind: 'bool' };
    case 'FLOAT':
    case 'DOUBLE':
      return annotation ? `${el.type} ${annotation} is not supported` : { kind: 'float' };
    case 'INT96':
      // The legacy timestamp of Impala, Hive and Spark (Athena writes it too): nanoseconds in 12 bytes.
      return { kind: 'timestamp' };
    case 'INT32':
    case 'INT64': {
      if (annotation === 'DATE' && el.type === 'INT32') return { kind: 'date' };
      if (annotation === 'TIMESTAMP' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') return el.type === 'INT64' ? { kind: 'timestamp' } : `INT32 ${annotation} is not supported`;
      if (annotation === undefined || (ct && SIGNED_INTS.has(ct)) || (ct && UNSIGNED_INTS.has(ct))) return { kind: 'int' };
      if (lt?.type === 'INTEGER') {
        if (lt.bitWidth === 64 && !lt.isSigned) return 'unsigned 64-bit integers can exceed int (signed 64-bit)';
        return { kind: 'int' };
      }
      if (ct === 'UINT_64') return 'unsigned 64-bit integers can exceed int (signed 64-bit)';
      return `${el.type} ${annotation} is not supported`;
    }
    case 'BYTE_ARRAY':
      if (annotation === 'STRING' || annotation === 'UTF8' || annotation === 'ENUM') return { kind: 'string' };
      return annotation ? `BYTE_ARRAY ${annotation} is not supported` : 'binary (BYTE_ARRAY without a STRING annotation) is not supported';
    default:
      return `${el.type}${annotation ? ` ${annotation}` : ''} is not supported`;
  }
}

/**
 * What hyparquet 1.31.5 decodes wrongly, found while testing against DuckDB: the first value of a
 * DELTA_BINARY_PACKED page is read as a 32-bit varint, so an unsigned INT32 of 2^31 or more (DuckDB's
 * PARQUET_VERSION v2 writes them) loses its top bit, and with it every value of the page.
 */
function hyparquetGap(el: SchemaElement, metadata: FileMetaData): string | undefined {
  const unsigned32 = el.type === 'INT32' && (el.converted_type === 'UINT_32' || (el.logical_type?.type === 'INTEGER' && !el.logical_type.isSigned && el.logical_type.bitWidth === 32));
  if (!unsigned32) return undefined;
  const delta = metadata.row_groups.some((g) => g.columns.some((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === el.name && c.meta_data.encodings.includes('DELTA_BINARY_PACKED')));
  return delta ? 'unsigned 32-bit integers in DELTA_BINARY_PACKED pages are decoded wrongly by hyparquet (values of 2^31 and more)' : undefined;
}

function columnTypeOf(el: SchemaElement): ParquetColumnType {
  const nullable = el.repetition_type !== 'REQUIRED';
  const kind = kindOf(el);
  return typeof kind === 'string' ? { kind: 'unsupported', nullable, reason: kind } : { ...kind, nullable };
}

/** hyparquet's parsers, returning our exact representations instead of Date objects. */
const EXACT_PARSERS: Partial<ParquetParsers> = {
  dateFromDays: (days: number) => days,
  timestampFromMilliseconds: (ms: bigint) => BigInt(ms) * 1000n,
  timestampFromMicroseconds: (us: bigint) => BigInt(us),
  timestampFromNanoseconds: (ns: bigint) => floorDiv(BigInt(ns), 1000n),
};

function unexpected(kind: ColumnKind, raw: unknown): never {
  throw new InternalError(`hyparquet returned ${typeof raw} ${String(raw)} for a ${kind} column`);
}

type Convert = (raw: unknown) => EtlValue;

const utf8 = new TextDecoder();

/** From what hyparquet returns (with EXACT_PARSERS and decimals unannotated) to our representation. */
const CONVERT: Record<ColumnKind, Convert> = {
  string: (v) => (typeof v === 'string' ? v : v instanceof Uint8Array ? utf8.decode(v) : unexpected('string', v)),
  int: (v) => (typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : unexpected('int', v)),
  float: (v) => (typeof v === 'number' ? v : unexpected('float', v)),
  decimal: (v) => (v instanceof Uint8Array ? bigintFromBytes(v) : typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : unexpected('decimal', v)),
  bool: (v) => (typeof v === 'boolean' ? v : unexpected('bool', v)),
  date: (v) => (typeof v === 'number' ? v : unexpected('date', v)),
  timestamp: (v) => (typeof v === 'bigint' ? v : unexpected('timestamp', v)),
};

/** A batch of consecutive rows of one row group. */
export interface RowBatch {
  /** Index in the file of `rows[0]`. */
  firstRow: number;
  /** One array per row, its values in the order of the requested columns. */
  rows: EtlValue[][];
}

export interface ReadRowsOptions {
  /** Rows per batch (default 16,384). */
  batchRows?: number;
}

export interface ReadRowsResult {
  rows: number;
  batches: number;
  /** Bytes fetched from the source: the group's compressed chunks of the requested columns. */
  bytesRead: number;
}

export const DEFAULT_BATCH_ROWS = 16_384;

/**
 * Streams the rows of one row group, `columns` only, in batches; each `onBatch` is awaited before the
 * next batch is decoded. The group's column chunks are fetched once (compressed; one range GET when
 * they are near each other), then each column is decoded a page at a time as the batches need it.
 * Memory: the compressed chunks, one decoded page per column (a writer's page is ~1 MB, but some
 * writers, Polars among them, put a whole chunk in one page), and one batch of rows.
 */
export async function readRowGroupRows(
  source: ParquetSource,
  layout: ParquetLayout,
  rowGroupIndex: number,
  columns: readonly string[],
  onBatch: (batch: RowBatch) => void | Promise<void>,
  options: ReadRowsOptions = {},
): Promise<ReadRowsResult> {
  const { key } = layout;
  const group = layout.rowGroups[rowGroupIndex];
  if (!group) throw new InvalidInput(`${key} has no row group ${rowGroupIndex} (it has ${layout.rowGroups.length})`, { key });
  if (source.byteLength !== layout.byteLength) {
    throw new InvalidInput(`${key} is ${source.byteLength} bytes now but was ${layout.byteLength} when its layout was read: it changed`, { key });
  }
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) throw new InternalError(`batchRows must be a positive integer, got ${batchRows}`);
  const wanted = columns.map((name) => readableColumn(layout, name));
  if (columns.length === 0 || group.rowCount === 0) return { rows: 0, batches: 0, bytesRead: 0 };

  const where = `${key} row group ${rowGroupIndex}`;
  const chunks = wanted.map((w) => chunkOf(layout.metadata.row_groups[rowGroupIndex]!.columns, w.name, where));
  const { bytes, bytesRead } = await fetchChunks(source, chunks);
  const schema = parquetSchema(layout.metadata);
  const cursors = wanted.map((w, i) => new ColumnCursor(bytes[i]!, decoderFor(schema, chunks[i]!, w.name), w.convert, key, `${where}, column "${w.name}",`));

  let batches = 0;
  for (let start = 0; start < group.rowCount; start += batchRows) {
    const count = Math.min(batchRows, group.rowCount - start);
    const rows: EtlValue[][] = new Array(count);
    for (let r = 0; r < count; r++) rows[r] = new Array(cursors.length);
    cursors.forEach((cursor, c) => cursor.fill(rows, c));
    batches++;
    await onBatch({ firstRow: group.firstRow + start, rows });
  }
  for (const cursor of cursors) cursor.checkEnd();
  return { rows: group.rowCount, batches, bytesRead };
}

interface ReadableColumn {
  name: string;
  convert: Convert;
}

function readableColumn(layout: ParquetLayout, name: string): ReadableColumn {
  const column = layout.columns.find((c) => c.name === name);
  if (!column) {
    throw new InvalidInput(`${layout.key} has no column "${name}" (columns: ${layout.columns.map((c) => c.name).join(', ')})`, { key: layout.key });
  }
  const { type } = column;
  if (type.kind === 'unsupported') {
    throw new InvalidInput(`${layout.key}: column "${name}" (${column.parquetType}) cannot be read: ${type.reason}`, { key: layout.key });
  }
  return { name, convert: CONVERT[type.kind] };
}

/** The chunk of a flat top-level column (nested columns before it have several chunks each). */
function chunkOf(chunks: readonly ColumnChunk[], name: string, where: string): ColumnChunk {
  const chunk = chunks.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name);
  if (!chunk) throw new InvalidInput(`${where} has no column chunk for "${name}"`);
  return chunk;
}

type ColumnDecoder = Parameters<typeof readPage>[2];
type DecodedArray = NonNullable<ReturnType<typeof readPage>['data']>;

function decoderFor(schema: SchemaTree, chunk: ColumnChunk, name: string): ColumnDecoder {
  const meta = chunk.meta_data!;
  const schemaPath = getTreePath(schema, [name]);
  const leaf = schemaPath[schemaPath.length - 1]!.element;
  // Without its DECIMAL annotation hyparquet returns the stored integer or bytes (see the top of this file).
  const element = isDecimal(leaf) ? { ...leaf, converted_type: undefined, logical_type: undefined } : leaf;
  return {
    pathInSchema: meta.path_in_schema,
    type: meta.type,
    codec: meta.codec,
    element,
    schemaPath,
    parsers: { ...DEFAULT_PARSERS, ...EXACT_PARSERS },
    compressors,
    utf8: false,
  };
}

/**
 * One column chunk decoded a page at a time, with hyparquet's page decoder (its own reader decodes a
 * whole chunk at once: the decoded row group would be in memory, or re-decoded for every batch).
 */
class ColumnCursor {
  private readonly reader: { view: DataView; offset: number };
  private dictionary: DecodedArray | undefined;
  private page: DecodedArray = [];
  private at = 0;

  constructor(
    bytes: Uint8Array,
    private readonly decoder: ColumnDecoder,
    private readonly convert: Convert,
    private readonly key: string,
    private readonly where: string,
  ) {
    this.reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  }

  /** Sets `rows[r][column]` for every row of the batch, from the next values of the chunk. */
  fill(rows: EtlValue[][], column: number): void {
    for (let r = 0; r < rows.length; r++) {
      if (this.at === this.page.length) this.nextPage();
      const v: unknown = this.page[this.at++];
      rows[r]![column] = v === null || v === undefined ? null : this.convert(v);
    }
  }

  /** Past the group's last row, nothing of the current page may be left: more values than rows is a corrupt file. */
  checkEnd(): void {
    if (this.at !== this.page.length) throw new InvalidInput(`${this.where} has more values than the row group has rows`, { key: this.key });
  }

  private nextPage(): void {
    do {
      if (this.reader.offset >= this.reader.view.byteLength) throw new InvalidInput(`${this.where} ends before the row group's last row`, { key: this.key });
      try {
        const header = parquetHeader(this.reader);
        if (header.type === 'DICTIONARY_PAGE') {
          const { data } = readPage(this.reader, header, this.decoder, undefined, undefined, 0);
          this.dictionary = data && convert(data, this.decoder);
        } else {
          this.page = readPage(this.reader, header, this.decoder, this.dictionary, undefined, 0).data ?? [];
          this.at = 0;
        }
      } catch (err) {
        if (err instanceof InvalidInput) throw err;
        // Past a valid footer, a page that cannot be decoded is a damaged file, not our bug.
        throw new InvalidInput(`${this.where} cannot be decoded (${err instanceof Error ? err.message : String(err)})`, { key: this.key }, { cause: err });
      }
    } while (this.at === this.page.length);
  }
}

/** Chunks closer than this are fetched in one read: a range GET costs more than a few KB of gap. */
const GAP_BYTES = 64 * 1024;

/** The compressed bytes of each chunk, fetched with as few ranged reads as their positions allow. */
async function fetchChunks(source: ParquetSource, chunks: ColumnChunk[]): Promise<{ bytes: Uint8Array[]; bytesRead: number }> {
  const ranges = chunks.map(chunkRange);
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const reads: { start: number; end: number }[] = [];
  for (const r of sorted) {
    const last = reads.at(-1);
    if (last && r.start - last.end <= GAP_BYTES) last.end = Math.max(last.end, r.end);
    else reads.push({ start: r.start, end: r.end });
  }
  const fetched = await Promise.all(reads.map(async (r) => ({ ...r, bytes: new Uint8Array(await source.slice(r.start, r.end)) })));
  const bytes = ranges.map((r) => {
    const read = fetched.find((f) => r.start >= f.start && r.end <= f.end)!;
    return read.bytes.subarray(r.start - read.start, r.end - read.start);
  });
  return { bytes, bytesRead: fetched.reduce((n, f) => n + f.bytes.length, 0) };
}
