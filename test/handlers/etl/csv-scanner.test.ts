// The record scanner against csv-parse, its oracle: random and hostile bytes (stray and escaped quotes,
// quotes closed by odd bytes, every delimiter, CR, LF and CRLF, blank lines, NULs, invalid and split
// UTF-8) cut into chunks of every size must give csv-parse's records, offsets and errors.
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { parse } from 'csv-parse';
import { CSV_PARSE_OPTIONS, csvRecordBatches, type CsvRecord } from '../../../handlers/etl/csv-rows';
import type { Delimiter } from '../../../handlers/etl/csv-header';
import { InvalidInput } from '../../../handlers/lib/errors';
import { seededRandom, type Random } from '../../../handlers/lib/seeded-random';

const START = 1000;
const FIRST_ROW = 7;

interface Read {
  records: CsvRecord[];
  /** csv-parse's error code, or the scanner's error name. */
  error: string | null;
}

const chunked = (bytes: Buffer, sizes: number[]): Buffer[] => {
  const chunks: Buffer[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length]!;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
};

/**
 * What the csv-parse reader that the scanner replaced gave (csv-rows.ts before it), with one fix: its
 * `raw` kept the CR of a CRLF line break (csv-parse's raw text drops the LF that ends its delimiter), so
 * rejects.csv showed it; the scanner removes the whole line break.
 */
async function oracle(bytes: Buffer, chunks: Buffer[], delimiter: Delimiter): Promise<Read> {
  const records: CsvRecord[] = [];
  let row = FIRST_ROW;
  // Records as they are pushed ('data' in flowing mode): an async iterator drops those still buffered when the parser fails.
  const error = await new Promise<string | null>((resolve) => {
    const parser = parse({ ...CSV_PARSE_OPTIONS, delimiter });
    parser.on('data', ({ record, raw, info }: { record: string[]; raw: string; info: { bytes: number } }) => {
      const current = row++;
      if (record.length === 1 && record[0] === '' && /^\r?\n?$/.test(raw)) return;
      const crlf = bytes[info.bytes - 2] === 0x0d && bytes[info.bytes - 1] === 0x0a;
      const text = raw.replace(/\r?\n$/, '');
      records.push({ row: current, fields: record, raw: crlf ? text.replace(/\r$/, '') : text, end: START + info.bytes });
    });
    parser.on('error', (err: { code?: string }) => resolve(err.code ?? String(err)));
    parser.on('end', () => resolve(null));
    for (const chunk of chunks) parser.write(chunk);
    parser.end();
  });
  return { records, error };
}

async function scanner(chunks: Buffer[], delimiter: Delimiter): Promise<Read> {
  const records: CsvRecord[] = [];
  try {
    for await (const batch of csvRecordBatches(Readable.from(chunks), { start: START, firstRow: FIRST_ROW, delimiter })) records.push(...batch);
    return { records, error: null };
  } catch (err) {
    if (!(err instanceof InvalidInput)) throw err;
    return { records, error: 'CSV_QUOTE_NOT_CLOSED' };
  }
}

const PLAIN = ['a', 'bc', 'Zz9', ' ', 'é', '日本', '😀', '€'];
// Bytes that are not UTF-8: a lone continuation, a truncated 3-byte character, bytes never valid.
const INVALID = [Buffer.from([0x80]), Buffer.from([0xe6, 0x97]), Buffer.from([0xff]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xf0, 0x9f, 0x98])];
const HOSTILE = ['"', '""', '"""', '\r', '\n', '\r\n', '\0', ',', ';', '\t', '|', '\uFFFD', 'x"y', '"\r', '"\0'];

/** Mostly CSV-shaped rows, with hostile pieces anywhere: what a bad export or a cut in the wrong place gives. */
function randomBytes(random: Random, delimiter: Delimiter): Buffer {
  const parts: Buffer[] = [];
  const eol = random.next() < 0.5 ? '\n' : '\r\n';
  const piece = (): Buffer => {
    const r = random.next();
    if (r < 0.55) return Buffer.from(random.pick(PLAIN));
    if (r < 0.65) return random.pick(INVALID);
    if (r < 0.75) return Buffer.from(delimiter);
    return Buffer.from(random.pick(HOSTILE));
  };
  const field = (): Buffer => {
    const inner = Buffer.concat(Array.from({ length: random.int(0, 4) }, piece));
    if (random.next() < 0.4) return Buffer.concat([Buffer.from('"'), Buffer.from(inner.toString('latin1').replaceAll('"', '""'), 'latin1'), Buffer.from('"')]);
    return inner;
  };
  for (let r = random.int(0, 6); r > 0; r--) {
    const fields = Array.from({ length: random.int(1, 4) }, field);
    parts.push(Buffer.concat(fields.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from(delimiter), f]))));
    if (r > 1 || random.next() < 0.6) parts.push(Buffer.from(random.next() < 0.15 ? eol + eol : eol));
  }
  return Buffer.concat(parts);
}

async function expectSameReads(bytes: Buffer, delimiter: Delimiter, sizes: number[], label: string): Promise<void> {
  const chunks = chunked(bytes, sizes);
  const expected = await oracle(bytes, chunks, delimiter);
  const got = await scanner(chunks, delimiter);
  expect(got, `${label}: ${JSON.stringify(bytes.toString('latin1'))} in chunks of ${sizes.join(',')}`).to.deep.equal(expected);
}

describe('handlers/etl/csv-scanner', () => {
  it('gives csv-parse\'s records for random hostile bytes, in chunks of every size from 1 byte', async function () {
    this.timeout(20_000);
    const random = seededRandom(20261206);
    for (let n = 0; n < 400; n++) {
      const delimiter = random.pick([',', ';', '\t', '|'] as const);
      const bytes = randomBytes(random, delimiter);
      const sizes = n % 4 === 0 ? [1] : n % 4 === 1 ? [bytes.length || 1] : Array.from({ length: 5 }, () => random.int(1, 9));
      await expectSameReads(bytes, delimiter, sizes, `file ${n}`);
    }
  });

  it('gives csv-parse\'s records for each tricky case, whole and byte by byte', async () => {
    const cases = [
      'a,b\r\nc,d\r\n', // CRLF: raw without its CR
      'a\r\n\r\nb', // a CRLF blank line counts as a row
      'a,b"c,d\n', // a quote inside an unquoted field is data
      '"abc"def,x\n', // text after a closing quote: the quotes are kept
      '"a""b"c"d,x\n', // ... after unescaping what came before
      '"abc"\0def,x\n', // a NUL closes a quote like a delimiter would
      '"a"\r,b\n"c"\r\r\n', // a CR that is not a CRLF after a closing quote
      '""\n\n""', // empty quoted fields are not blank lines
      'a,\n,\n,', // empty fields at the end of a line and of the input
      '"x\ny",\r"\r\n"\n', // quoted line breaks
      'a,"bc\nd\n', // a quote never closed
      '"a""', // an escaped quote at the very end, never closed
    ];
    for (const text of cases) {
      const bytes = Buffer.from(text);
      await expectSameReads(bytes, ',', [bytes.length], 'whole');
      await expectSameReads(bytes, ',', [1], 'byte by byte');
    }
  });

  it('keeps file offsets and text when UTF-8 is invalid or split across chunks', async () => {
    const bytes = Buffer.concat([Buffer.from('"日本'), Buffer.from([0xff]), Buffer.from('""茶",😀\n'), Buffer.from([0xe6, 0x97]), Buffer.from(',"'), Buffer.from([0x80]), Buffer.from('x"y\r\n')]);
    for (const size of [1, 2, 3, 5, 7, bytes.length]) await expectSameReads(bytes, ',', [size], `chunks of ${size}`);
    const got = await scanner([bytes], ',');
    expect(got.records.map((r) => r.end)).to.deep.equal([START + 20, START + bytes.length]);
    expect(got.records[0]!.fields).to.deep.equal(['日本\uFFFD"茶', '😀']);
  });

  it('names the byte and row of a quoted field that is never closed', async () => {
    const chunks = [Buffer.from('a,b\n\nc,"d\ne\n')];
    let error: unknown;
    try {
      for await (const _ of csvRecordBatches(Readable.from(chunks), { start: 50, firstRow: 2, delimiter: ',' }));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(InvalidInput);
    expect((error as Error).message).to.contain('opened at byte 57 (row 4');
  });
});
