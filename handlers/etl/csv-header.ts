// The header row of a CSV file: its column names, its delimiter, and where the data rows start.
// It is read from the file's first bytes only, so a job can fail fast on a bad file before any
// range is scanned.
import { InvalidInput } from '../lib/errors';
import { CR, LF, bomLength, readExactly, type ReadRange } from './csv-bytes';
import { scanRange } from './csv-boundaries';

/** The delimiters recognised, in the order that breaks a tie when detecting one. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export interface CsvHeader {
  columns: string[];
  delimiter: Delimiter;
  /** Whether the file starts with a UTF-8 byte order mark (skipped: it is not part of the first name). */
  bom: boolean;
  /** Offset of the header row: 3 after a byte order mark, else 0. */
  headerStart: number;
  /** Offset of the first data row, just after the header row's newline: `stitchBoundaries`' `dataStart`. */
  dataStart: number;
}

export interface HeaderOptions {
  /** The delimiter, when known; otherwise the one of `DELIMITERS` found most often in the header row. */
  delimiter?: Delimiter;
  /** Size of the whole file, when `bytes` are only its first bytes; by default `bytes` is the whole file. */
  fileSize?: number;
  /** The S3 key, named in errors. */
  key?: string;
}

export interface ReadHeaderOptions extends HeaderOptions {
  /** Bytes read first; doubled until the header row ends (default 64 KiB). */
  firstReadBytes?: number;
  /** A header row longer than this is refused (default 1 MiB). */
  maxHeaderBytes?: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads the header from the file's first bytes, which must hold the whole header row. Throws
 * `InvalidInput` for an empty file, a blank or malformed header row, and a file with no data rows
 * (nothing, or only blank lines, after the header).
 */
export function readHeader(bytes: Uint8Array, opts: HeaderOptions = {}): CsvHeader {
  const { key } = opts;
  const fileSize = opts.fileSize ?? bytes.length;
  const headerStart = bomLength(bytes);
  if (fileSize <= headerStart) throw new InvalidInput('The CSV file is empty', { key });
  const rowEnd = headerRowEnd(bytes, headerStart);
  if (rowEnd === null && bytes.length < fileSize) {
    throw new InvalidInput(`The CSV header row does not end within the first ${bytes.length} bytes (an unclosed quote?)`, { key });
  }
  const dataStart = rowEnd ?? fileSize;
  const text = decodeHeader(withoutLineBreak(bytes.subarray(headerStart, dataStart)), key);
  if (text === '') throw new InvalidInput('The CSV header row is empty (the file starts with a blank line)', { key });
  const delimiter = opts.delimiter ?? detectDelimiter(text);
  const columns = splitHeader(text, delimiter, key);
  if (bytes.length === fileSize && onlyLineBreaks(bytes.subarray(dataStart))) {
    throw new InvalidInput('The CSV file has a header but no data rows', { key });
  }
  return { columns, delimiter, bom: headerStart > 0, headerStart, dataStart };
}

/** `readHeader` over a ranged reader: reads only as much of the file's start as the header row needs. */
export async function readHeaderFrom(readRange: ReadRange, fileSize: number, opts: ReadHeaderOptions = {}): Promise<CsvHeader> {
  const maxBytes = Math.min(fileSize, opts.maxHeaderBytes ?? 1024 * 1024);
  let bytes = Buffer.alloc(0);
  let want = Math.min(maxBytes, Math.max(1, opts.firstReadBytes ?? 64 * 1024));
  while (bytes.length < want) {
    bytes = Buffer.concat([bytes, await readExactly(readRange, bytes.length, want - 1)]);
    if (headerRowEnd(bytes, bomLength(bytes)) !== null) break;
    want = Math.min(maxBytes, want * 2);
  }
  return readHeader(bytes, { ...opts, fileSize });
}

/** Offset just after the header row's newline, if `bytes` hold one; the same rule as the range scans. */
function headerRowEnd(bytes: Uint8Array, headerStart: number): number | null {
  const first = scanRange(bytes.subarray(headerStart), { start: headerStart }).outside.firstRowStart;
  return first === null ? null : headerStart + first;
}

function withoutLineBreak(row: Uint8Array): Uint8Array {
  let end = row.length;
  if (row[end - 1] === LF) end--;
  if (end < row.length && row[end - 1] === CR) end--;
  return row.subarray(0, end);
}

function decodeHeader(row: Uint8Array, key: string | undefined): string {
  try {
    return decoder.decode(row);
  } catch (err) {
    throw new InvalidInput('The CSV header row is not valid UTF-8', { key }, { cause: err });
  }
}

function onlyLineBreaks(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === LF || b === CR);
}

/** The most frequent delimiter outside quotes; a comma when there is none (a one-column file). */
export function detectDelimiter(headerRow: string): Delimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of headerRow) {
    if (char === '"') quoted = !quoted;
    else if (!quoted) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: Delimiter = DELIMITERS[0];
  for (const candidate of DELIMITERS) {
    if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  }
  return best;
}

/** Splits one RFC 4180 record (the header row, without its line break) into its fields. */
function splitHeader(row: string, delimiter: Delimiter, key: string | undefined): string[] {
  const names: string[] = [];
  let at = 0;
  for (;;) {
    const column = names.length + 1;
    const field = row[at] === '"' ? quotedField(row, at, delimiter) : plainField(row, at, delimiter);
    if ('problem' in field) throw new InvalidInput(`Column ${column} of the CSV header row ${field.problem}`, { key, column });
    names.push(field.value);
    if (field.end === row.length) return names;
    at = field.end + delimiter.length;
  }
}

type FieldRead = { value: string; end: number } | { problem: string };

function plainField(row: string, at: number, delimiter: Delimiter): FieldRead {
  const found = row.indexOf(delimiter, at);
  const end = found === -1 ? row.length : found;
  const value = row.slice(at, end);
  // A quote inside an unquoted field breaks RFC 4180, and with it the quote parity every range relies on.
  if (value.includes('"')) return { problem: `has a quote inside an unquoted name: ${JSON.stringify(value)}` };
  return { value, end };
}

function quotedField(row: string, at: number, delimiter: Delimiter): FieldRead {
  let value = '';
  let from = at + 1;
  for (;;) {
    const quote = row.indexOf('"', from);
    if (quote === -1) return { problem: 'opens a quote that is never closed' };
    value += row.slice(from, quote);
    if (row[quote + 1] === '"') {
      value += '"';
      from = quote + 2;
      continue;
    }
    const end = quote + 1;
    if (end !== row.length && !row.startsWith(delimiter, end)) {
      return { problem: `has ${JSON.stringify(row[end])} after its closing quote instead of ${JSON.stringify(delimiter)}` };
    }
    return { value, end };
  }
}
