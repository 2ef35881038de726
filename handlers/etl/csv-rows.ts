// The records of one CSV partition, streamed from its byte range through csv-parse, each with its row
// number in the file (for rejects.csv) and the byte offset after it (the cursor a checkpoint resumes at).
import type { Readable } from 'node:stream';
import { parse, type Options } from 'csv-parse';
import type { Delimiter } from './csv-header';

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

/** How every partition is parsed (the delimiter comes from the manifest). */
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
  info: true,
};

/**
 * Parses `bytes` (a stream of whole rows, starting at a row start) and yields its records. Blank lines
 * are counted as rows but not yielded. A quote inside an unquoted field is kept as data (`relax_quotes`),
 * so the row reaches the typed parser and is rejected or kept there, not failing the whole partition.
 */
export async function* csvRecords(bytes: Readable, opts: CsvRecordsOptions): AsyncGenerator<CsvRecord> {
  const parser = bytes.pipe(parse({ ...CSV_PARSE_OPTIONS, delimiter: opts.delimiter }));
  bytes.on('error', (err) => parser.destroy(err));
  let row = opts.firstRow;
  for await (const { record, raw, info } of parser as AsyncIterable<{ record: string[]; raw: string; info: { bytes: number } }>) {
    const current = row++;
    if (record.length === 1 && record[0] === '' && /^\r?\n?$/.test(raw)) continue;
    yield { row: current, fields: record, raw: raw.replace(/\r?\n$/, ''), end: opts.start + info.bytes };
  }
}
