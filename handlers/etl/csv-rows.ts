// The records of one CSV partition, streamed from its byte range, each with its row number in the file
// (for rejects.csv) and the byte offset after it (the cursor a checkpoint resumes at). The scanner
// (csv-scanner.ts) does what csv-parse does under CSV_PARSE_OPTIONS, several times faster: csv-parse's
// `info` (the byte cursor) alone halved its rate, and an async step per record cost as much again.
import type { Readable } from 'node:stream';
import type { Options } from 'csv-parse';
import { InvalidInput } from '../lib/errors';
import type { Delimiter } from './csv-header';
import { CsvRecordScanner } from './csv-scanner';

export interface CsvRecord {
  /** 1-based row number in the file, the header being row 1 (blank lines count). */
  row: number;
  fields: string[];
  /** The record's text as it stands in the file, line break removed: what rejects.csv quotes. */
  raw: string;
  /** Absolute byte offset just after the record: where the next one starts. */
  end: number;
}

export interface CsvRecordsOptions {
  /** Absolute offset of the first byte of `bytes` (a row start). */
  start: number;
  /** The row number of the record starting at `start`. */
  firstRow: number;
  delimiter: Delimiter;
}

/**
 * The csv-parse options whose reading csvRecords reproduces (the delimiter comes from the manifest):
 * the oracle of the scanner's tests and the baseline of bench/etl.ts.
 */
export const CSV_PARSE_OPTIONS: Options = {
  quote: '"',
  escape: '"',
  record_delimiter: ['\r\n', '\n'],
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: false,
  bom: false,
  raw: true,
  // info.bytes counts the bytes of the file, which the cursor needs: the decoded raw text does not
  // (an invalid byte decodes to U+FFFD, three bytes in UTF-8), so a resumed read would start mid-row.
  // It halves csv-parse's rate, one reason the scanner replaced it.
  info: true,
};

/**
 * The records of `bytes` (a stream of whole rows, starting at a row start), a chunk's worth at a time.
 * Blank lines are counted as rows but not yielded. A quote inside an unquoted field is kept as data
 * (`relax_quotes`), so the row reaches the typed parser and is rejected or kept there, not failing the
 * whole partition; a quoted field still open at the end is an InvalidInput naming its byte.
 */
export async function* csvRecordBatches(bytes: Readable, opts: CsvRecordsOptions): AsyncGenerator<CsvRecord[]> {
  const scanner = new CsvRecordScanner(opts);
  for await (const chunk of bytes as AsyncIterable<Buffer | string>) {
    const records = scanner.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (records.length > 0) yield records;
  }
  const last = scanner.end();
  if (last.records.length > 0) yield last.records;
  if (last.unclosedQuoteAt !== null) {
    const at = last.unclosedQuoteAt;
    throw new InvalidInput(`The partition ends inside a quoted field: the quoted field opened at byte ${at} (row ${last.unclosedQuoteRow}, the header being row 1) is never closed`, {
      row: last.unclosedQuoteRow,
      byte: at,
    });
  }
}

/** The records of `bytes` one at a time (see csvRecordBatches, which the transform uses). */
export async function* csvRecords(bytes: Readable, opts: CsvRecordsOptions): AsyncGenerator<CsvRecord> {
  for await (const batch of csvRecordBatches(bytes, opts)) yield* batch;
}
