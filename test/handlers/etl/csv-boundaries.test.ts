import { expect } from 'chai';
import {
  planRanges,
  scanFileRange,
  scanRange,
  stitchBoundaries,
  type CsvPartitions,
  type RangeScan,
} from '../../../handlers/etl/csv-boundaries';
import { readHeader, type Delimiter } from '../../../handlers/etl/csv-header';
import { InternalError, InvalidInput } from '../../../handlers/lib/errors';

// ---------------------------------------------------------------------------------------------
// The oracle: what "the rows of a file" are, written independently of the implementation as a
// plain RFC 4180 state machine over the decoded text, one character at a time.
// ---------------------------------------------------------------------------------------------

interface OracleRecord {
  fields: string[];
  /** Byte offset of the record's first byte in the parsed bytes. */
  byteStart: number;
  /** The line was empty: no character at all before its line break. */
  blank: boolean;
}

class OracleError extends Error {}

function oracleParse(bytes: Buffer, delimiter: string): OracleRecord[] {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(hasBom ? bytes.subarray(3) : bytes);
  const records: OracleRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let state: 'fieldStart' | 'plain' | 'quoted' | 'afterQuote' = 'fieldStart';
  let recordStart = 0;
  let recordByteStart = hasBom ? 3 : 0;
  const finishRecord = (end: number) => {
    fields.push(field);
    records.push({ fields, byteStart: recordByteStart, blank: end === recordStart });
    fields = [];
    field = '';
    state = 'fieldStart';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (state === 'quoted') {
      if (c === '"') state = 'afterQuote';
      else field += c;
      i++;
      continue;
    }
    if (state === 'afterQuote' && c === '"') {
      field += '"';
      state = 'quoted';
      i++;
      continue;
    }
    const lineBreak = c === '\n' ? 1 : c === '\r' && text[i + 1] === '\n' ? 2 : 0;
    if (lineBreak > 0) {
      finishRecord(i);
      recordByteStart += Buffer.byteLength(text.slice(recordStart, i + lineBreak));
      i += lineBreak;
      recordStart = i;
      continue;
    }
    if (c === delimiter) {
      fields.push(field);
      field = '';
      state = 'fieldStart';
    } else if (state === 'afterQuote') {
      throw new OracleError(`character after a closing quote at ${i}`);
    } else if (c === '"') {
      if (state !== 'fieldStart') throw new OracleError(`quote inside an unquoted field at ${i}`);
      state = 'quoted';
    } else {
      field += c;
      state = 'plain';
    }
    i++;
  }
  if (state === 'quoted') throw new OracleError('unterminated quoted field');
  if (i > recordStart) finishRecord(i);
  return records;
}

const nonBlank = (records: OracleRecord[]) => records.filter((r) => !r.blank).map((r) => r.fields);
const allFields = (records: OracleRecord[]) => records.map((r) => r.fields);

// ---------------------------------------------------------------------------------------------
// Running the implementation the way the pipeline will: plan, scan every range on its own, stitch.
// ---------------------------------------------------------------------------------------------

function scansOf(file: Buffer, rangeBytes: number): RangeScan[] {
  return planRanges(file.length, rangeBytes).map((r) =>
    scanRange(file.subarray(r.start, r.end), { start: r.start, previousByte: r.start > 0 ? file[r.start - 1] : undefined }),
  );
}

function partition(file: Buffer, rangeBytes: number): CsvPartitions {
  return stitchBoundaries(scansOf(file, rangeBytes), file.length);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The property: partitions hold exactly the data rows, each starting at a real row, each parseable alone. */
function checkPartitioning(file: Buffer, rangeBytes: number, delimiter: string, whole = oracleParse(file, delimiter)): void {
  // Row numbers are 1-based, the header being row 1, blank lines counted.
  const rowStarts = new Map(whole.map((r, i) => [r.byteStart, i + 1]));
  const expectedDataStart = whole[1]?.byteStart ?? file.length;
  const { dataStart, partitions } = partition(file, rangeBytes);

  expect(dataStart, 'dataStart: just after the header row').to.equal(expectedDataStart);
  // Plain checks in the loop: chai per partition, thousands of times, would dominate the run time.
  let at = dataStart;
  partitions.forEach((p, i) => {
    if (p.index !== i) expect.fail(`partition ${i} has index ${p.index}`);
    if (p.start !== at) expect.fail(`partition ${i} starts at ${p.start}, not where the previous one ends (${at})`);
    if (p.end <= p.start) expect.fail(`partition ${i} is empty`);
    if (!rowStarts.has(p.start)) expect.fail(`partition ${i} starts at byte ${p.start}, not a row start`);
    if (rowStarts.get(p.start) !== p.firstRow) expect.fail(`partition ${i} says its first row is ${p.firstRow}, it is ${rowStarts.get(p.start)}`);
    at = p.end;
  });
  expect(at, 'the partitions reach the end of the file').to.equal(file.length);
  expect(Buffer.concat(partitions.map((p) => file.subarray(p.start, p.end))).equals(file.subarray(dataStart))).to.equal(true);

  const parsed = partitions.map((p) => {
    const bytes = file.subarray(p.start, p.end);
    strictUtf8.decode(bytes); // throws if a cut fell inside a multi-byte character
    return oracleParse(bytes, delimiter);
  });
  const json = (rows: string[][]) => JSON.stringify(rows);
  expect(json(parsed.flatMap(nonBlank)), 'rows, blank lines skipped').to.equal(json(nonBlank(whole.slice(1))));
  expect(json(parsed.flatMap(allFields)), 'rows, blank lines kept').to.equal(json(allFields(whole.slice(1))));
}

function checkAllRangeSizes(file: Buffer, delimiter: string, sizes: number[]): void {
  const whole = oracleParse(file, delimiter);
  for (const size of sizes) {
    try {
      checkPartitioning(file, size, delimiter, whole);
    } catch (err) {
      throw new Error(`range size ${size}, file ${JSON.stringify(file.toString('utf8'))}: ${(err as Error).message}`, { cause: err });
    }
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function expectInvalidInput(fn: () => unknown): InvalidInput {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidInput);
    return err as InvalidInput;
  }
  throw new Error('expected InvalidInput, nothing was thrown');
}

// ---------------------------------------------------------------------------------------------
// Random hostile files from a seeded generator, so a failure is reproducible.
// ---------------------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RandomFile {
  bytes: Buffer;
  delimiter: Delimiter;
  columns: number;
}

function randomCsv(random: () => number): RandomFile {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const delimiter = pick([',', ';', '\t', '|'] as const);
  const eol = random() < 0.5 ? '\n' : '\r\n';
  const columns = 1 + Math.floor(random() * 4);
  // Plain text never holds a delimiter, quote or line break; quoted text holds all of them.
  const plainPieces = ['a', 'b', 'Z', '7', ' ', 'é', '日本', '😀', 'ß', '€'];
  const quotedPieces = [...plainPieces, '"', '\n', '\r\n', '\r', ',', ';', '\t', '|', '\n\n', '""'];
  const text = (pieces: string[], max: number) => Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(pieces)).join('');
  const quoted = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const field = () => (random() < 0.45 ? quoted(text(quotedPieces, 6)) : text(plainPieces, 5));
  const name = () => (random() < 0.3 ? quoted(text(quotedPieces, 4)) : 'c' + text(plainPieces, 3));
  const lines = [Array.from({ length: columns }, name).join(delimiter)];
  const rowCount = Math.floor(random() * 14);
  for (let r = 0; r < rowCount; r++) {
    lines.push(random() < 0.1 ? '' : Array.from({ length: columns }, field).join(delimiter));
  }
  const body = lines.join(eol) + (random() < 0.7 ? eol : '');
  const bom = random() < 0.2 ? '\uFEFF' : '';
  return { bytes: Buffer.from(bom + body, 'utf8'), delimiter, columns };
}

// ---------------------------------------------------------------------------------------------

describe('handlers/etl/csv-boundaries', () => {
  describe('planRanges', () => {
    it('covers the file with contiguous ranges of at most the target, within one byte of each other', () => {
      for (const [size, target] of [[1, 1], [10, 3], [100, 7], [100, 100], [101, 10], [64, 64 * 1024], [12345, 1000]] as const) {
        const ranges = planRanges(size, target);
        expect(ranges.length, `${size}/${target}`).to.equal(Math.ceil(size / target));
        expect(ranges[0]!.start).to.equal(0);
        expect(ranges.at(-1)!.end).to.equal(size);
        ranges.forEach((r, i) => {
          expect(r.index).to.equal(i);
          if (i > 0) expect(r.start).to.equal(ranges[i - 1]!.end);
          expect(r.end - r.start).to.be.within(1, target);
        });
        const lengths = ranges.map((r) => r.end - r.start);
        expect(Math.max(...lengths) - Math.min(...lengths)).to.be.at.most(1);
      }
    });

    it('gives one range for a file smaller than the target and none for an empty file', () => {
      expect(planRanges(5, 1_000_000)).to.deep.equal([{ index: 0, start: 0, end: 5 }]);
      expect(planRanges(0, 10)).to.deep.equal([]);
    });

    it('stays exact for files of terabytes', () => {
      const size = 5 * 1024 ** 4 + 12345;
      const ranges = planRanges(size, 64 * 1024 ** 2);
      expect(ranges.at(-1)!.end).to.equal(size);
      expect(ranges.every((r, i) => i === 0 || r.start === ranges[i - 1]!.end)).to.equal(true);
    });

    it('refuses a size or target that is not a usable integer', () => {
      for (const [size, target] of [[-1, 10], [10, 0], [10, 1.5], [Number.NaN, 10], [10, Infinity]]) {
        expectInvalidInput(() => planRanges(size!, target!));
      }
    });
  });

  describe('scanRange', () => {
    it('answers for both entry states, relative to the range', () => {
      // entered outside: `a,"x` opens a quote at 2, so the newline at 4 is quoted; none closes it.
      // entered inside: the quote at 2 closes it, the newline at 4 ends a row.
      const scan = scanRange(Buffer.from('a,"x\nb'), { start: 100 });
      expect(scan).to.deep.equal({
        start: 100,
        length: 6,
        quotes: 1,
        outside: { firstRowStart: null, lastFieldOpen: 2, rows: 0 },
        inside: { firstRowStart: 5, lastFieldOpen: null, rows: 1 },
      });
    });

    it('takes a quote right after another as the second half of an escaped quote, across the range edge too', () => {
      // entered inside a field: `"` closes, `"` re-opens (escape), so no field opens here.
      expect(scanRange(Buffer.from('""x'), { start: 5 }).inside.lastFieldOpen).to.equal(null);
      expect(scanRange(Buffer.from('"x'), { start: 5, previousByte: 0x22 }).outside.lastFieldOpen).to.equal(null);
      expect(scanRange(Buffer.from('"x'), { start: 5, previousByte: 0x2c }).outside.lastFieldOpen).to.equal(0);
    });

    it('treats \\r\\n as one line break: the row starts after the \\n', () => {
      expect(scanRange(Buffer.from('ab\r\ncd'), { start: 0 }).outside.firstRowStart).to.equal(4);
    });

    it('returns a few numbers that survive a JSON state payload unchanged', () => {
      const scan = scanRange(Buffer.alloc(1024 * 1024, 'a,"b\nc",d\n'), { start: 7 * 1024 ** 3 });
      const json = JSON.stringify(scan);
      expect(JSON.parse(json)).to.deep.equal(scan);
      expect(json.length).to.be.below(256);
    });
  });

  describe('stitchBoundaries', () => {
    it('gives no partitions for an empty file or a header-only file, with or without its newline', () => {
      expect(partition(Buffer.alloc(0), 4)).to.deep.equal({ dataStart: 0, partitions: [] });
      expect(partition(Buffer.from('a,b'), 2)).to.deep.equal({ dataStart: 3, partitions: [] });
      expect(partition(Buffer.from('a,b\n'), 2)).to.deep.equal({ dataStart: 4, partitions: [] });
      expect(partition(Buffer.from('"a\n,b"\r\n'), 1)).to.deep.equal({ dataStart: 8, partitions: [] });
    });

    it('merges a range holding no row start into the partition before it', () => {
      const file = Buffer.from('h\n"' + 'x\n'.repeat(20) + '"\nlast\n');
      const { partitions } = partition(file, 8);
      expect(partitions.map((p) => file.subarray(p.start, p.end).toString())).to.deep.equal(['"' + 'x\n'.repeat(20) + '"\n', 'last\n']);
    });

    it('accepts the scans in any order', () => {
      const file = Buffer.from('h\n1\n"2\n2"\n3\n4\n');
      const scans = scansOf(file, 3);
      expect(stitchBoundaries([...scans].reverse(), file.length)).to.deep.equal(stitchBoundaries(scans, file.length));
    });

    it('refuses scans that miss, repeat or overrun part of the file (InternalError: rows would be lost or doubled)', () => {
      const file = Buffer.from('h\n1\n2\n3\n');
      const scans = scansOf(file, 2);
      expect(() => stitchBoundaries(scans.slice(1), file.length)).to.throw(InternalError, /expected one starting at byte 0/);
      expect(() => stitchBoundaries([...scans, scans[1]!], file.length)).to.throw(InternalError);
      expect(() => stitchBoundaries(scans.slice(0, -1), file.length)).to.throw(InternalError, /cover 6 bytes of a 8-byte file/);
      expect(() => stitchBoundaries(scans, file.length + 1)).to.throw(InternalError);
    });

    it('reports a quote never closed as InvalidInput naming the byte where its field opens, and its row', () => {
      //                       0123 4567 890123456789
      const file = Buffer.from('a,b\n1,2\n3,"x""y\nz\n');
      for (const size of range(1, 25)) {
        const err = expectInvalidInput(() => stitchBoundaries(scansOf(file, size), file.length, { key: 'jobs/j/input/t.csv' }));
        expect(err.name).to.equal('InvalidInput');
        expect(err.details).to.include({ byte: 10, row: 3, key: 'jobs/j/input/t.csv' });
        expect(err.message).to.equal(
          'The CSV ends inside a quoted field: the quoted field opened at byte 10 (row 3, the header being row 1) is never closed (key "jobs/j/input/t.csv")',
        );
      }
    });

    it('reports a quote inside an unquoted field the same way when it leaves the file inside quotes', () => {
      const file = Buffer.from('a,b\nx"y,2\n3,4\n');
      const err = expectInvalidInput(() => partition(file, 3));
      expect(err.details).to.include({ byte: 5, row: 2 });
    });
  });

  describe('partitions: concatenated, they are the data rows; parsed one by one, the same rows as the whole file', () => {
    const ALL_SIZES = range(1, 40);

    it('quoted fields holding newlines, delimiters and escaped quotes', () => {
      const file = Buffer.from('id,text,n\n1,"a, b",2\n2,"line1\nline2\n\nline4",3\n3,"she said ""hi""\n, ok",4\n4,"""",5\n5,"",6\n');
      checkAllRangeSizes(file, ',', [...ALL_SIZES, 1000]);
      expect(partition(file, 1).partitions.length).to.equal(5);
    });

    it('CRLF line ends, with CRLF inside quoted fields too', () => {
      checkAllRangeSizes(Buffer.from('a,b\r\n1,"x\r\ny"\r\n2,3\r\n"\r\n",4\r\n'), ',', ALL_SIZES);
    });

    it('a byte order mark: skipped as part of the header row, never a data row', () => {
      const file = Buffer.from('\uFEFFa,b\n1,2\n3,4\n');
      checkAllRangeSizes(file, ',', ALL_SIZES);
      expect(partition(file, 2).dataStart).to.equal(7);
      expect(partition(Buffer.from('\uFEFF'), 1)).to.deep.equal({ dataStart: 3, partitions: [] });
    });

    it('no final newline, including a last row that is a quoted field', () => {
      checkAllRangeSizes(Buffer.from('a,b\n1,2\n3,4'), ',', ALL_SIZES);
      checkAllRangeSizes(Buffer.from('a,b\n1,2\n3,"4\n5"'), ',', ALL_SIZES);
    });

    it('blank lines: rows of their own here, so a partition may hold only blank lines; parsers skip them', () => {
      const file = Buffer.from('a,b\n\n1,2\n\n\n3,4\r\n\r\n5,6\n\n');
      checkAllRangeSizes(file, ',', ALL_SIZES);
      const { partitions } = partition(file, 1);
      expect(partitions.map((p) => file.subarray(p.start, p.end).toString())).to.deep.equal(['\n', '1,2\n', '\n', '\n', '3,4\r\n', '\r\n', '5,6\n', '\n']);
    });

    it('multi-byte characters with range edges inside them: cuts fall only after a newline', () => {
      // é is 2 bytes, 日本 6, 😀 4: every range size from 1 to 40 puts some edge inside one of them.
      const file = Buffer.from('naïve,日本\né,😀😀\n"😀\n日本",é\n日本😀,"é,é"\n😀,😀');
      const isContinuationByte = (b: number) => (b & 0xc0) === 0x80;
      const edgeInsideACharacter = ALL_SIZES.filter((size) => planRanges(file.length, size).some((r) => isContinuationByte(file[r.start]!)));
      expect(edgeInsideACharacter.length).to.be.greaterThan(30);
      checkAllRangeSizes(file, ',', ALL_SIZES);
    });

    it('semicolon, tab and pipe delimiters', () => {
      checkAllRangeSizes(Buffer.from('a;b\n1;"x;\ny"\n2;3\n'), ';', ALL_SIZES);
      checkAllRangeSizes(Buffer.from('a\tb\n1\t"x\t\ny"\n2\t3\n'), '\t', ALL_SIZES);
      checkAllRangeSizes(Buffer.from('a|b\n1|"x|\ny"\n2|3\n'), '|', ALL_SIZES);
    });

    it('a hostile file: tiny ranges put an edge inside every quoted newline, \\r\\n and escaped quote', () => {
      const rows = [
        'k,v',
        '1,"\n"',
        '2,"\r\n"',
        '3,"a\nb,c\nd,e"',
        '4,"""\n"""',
        '5,"\n\n\n"',
        '"6\n","x,\n""y"""',
        '7,"looks\nlike,a\nrow\n"',
        '8,""',
      ];
      const file = Buffer.from(rows.join('\n') + '\n');
      const quotedNewlines = [...file.toString()].filter((c, i, all) => c === '\n' && all.slice(0, i).join('').split('"').length % 2 === 0).length;
      expect(quotedNewlines).to.be.greaterThan(10);
      checkAllRangeSizes(file, ',', range(1, 7));
      checkAllRangeSizes(Buffer.from(rows.join('\r\n')), ',', range(1, 7));
    });

    it('ranges larger than the file give one partition of all the data rows', () => {
      const file = Buffer.from('a,b\n1,2\n"3\n",4\n');
      expect(partition(file, 1_000_000)).to.deep.equal({ dataStart: 4, partitions: [{ index: 0, start: 4, end: file.length, firstRow: 2 }] });
    });

    it('a few hundred random hostile files, every range size from 1 to 40', function () {
      this.timeout(20_000);
      const random = mulberry32(20260);
      for (let n = 0; n < 300; n++) {
        const { bytes, delimiter, columns } = randomCsv(random);
        try {
          checkAllRangeSizes(bytes, delimiter, ALL_SIZES);
          checkHeader(bytes, delimiter, columns);
        } catch (err) {
          throw new Error(`random file #${n}: ${(err as Error).message}`, { cause: err });
        }
      }
    });

    it('random files ending inside a quoted field: InvalidInput naming the exact byte, every range size', () => {
      const random = mulberry32(4180);
      for (let n = 0; n < 100; n++) {
        const { bytes, delimiter } = randomCsv(random);
        const whole = oracleParse(bytes, delimiter);
        const valid = bytes.at(-1) === 0x0a ? bytes : Buffer.concat([bytes, Buffer.from('\n')]);
        const opening = valid.length + 2;
        const file = Buffer.concat([valid, Buffer.from(`x${delimiter}"never ""closed""\n${delimiter}é`)]);
        for (const size of ALL_SIZES) {
          const err = expectInvalidInput(() => partition(file, size));
          expect(err.details, `file #${n}, range size ${size}`).to.include({ byte: opening, row: whole.length + 1 });
        }
      }
    });
  });

  describe('scanFileRange', () => {
    /** The bytes asked for, streamed in chunks of 1 to 7 bytes: edges fall everywhere. */
    async function* chunked(bytes: Buffer) {
      for (let at = 0, size = 1; at < bytes.length; at += size, size = (size % 7) + 1) yield bytes.subarray(at, at + size);
    }

    it('streams each range once, with the byte before it, and scans it as scanRange does, in chunks of any size', async () => {
      const file = Buffer.from('a,b\n1,"x\n""y"\n2,3\n"q""",""\n4,"\r\n"\n');
      for (const target of [1, 2, 5, 9, file.length]) {
        const reads: [number, number][] = [];
        const readRange = async (start: number, endInclusive: number) => {
          reads.push([start, endInclusive]);
          return chunked(file.subarray(start, endInclusive + 1));
        };
        const ranges = planRanges(file.length, target);
        const scans = await Promise.all(ranges.map((r) => scanFileRange(readRange, r)));
        expect(reads).to.deep.equal(ranges.map((r) => [Math.max(0, r.start - 1), r.end - 1]));
        expect(scans, `ranges of ${target}`).to.deep.equal(scansOf(file, target));
      }
    });

    it('ignores bytes past the range (s3rver answers bytes=0-0 with the whole object)', async () => {
      const file = Buffer.from('"a\nb",c\n');
      const scan = await scanFileRange(async (start) => chunked(file.subarray(start)), { start: 0, end: 1 });
      expect(scan).to.deep.equal(scanRange(file.subarray(0, 1), { start: 0 }));
    });

    it('refuses a short read (the object changed since it was planned)', async () => {
      const readRange = async () => chunked(Buffer.from('ab'));
      let caught: unknown;
      await scanFileRange(readRange, { start: 10, end: 20 }).catch((err: unknown) => (caught = err));
      expect(caught).to.be.instanceOf(InvalidInput);
      expect((caught as Error).message).to.match(/shorter than planned/);
    });
  });
});

/** readHeader agrees with the oracle's first record, and with stitchBoundaries on where data starts. */
function checkHeader(bytes: Buffer, delimiter: Delimiter, columns: number): void {
  const whole = oracleParse(bytes, delimiter);
  if (nonBlank(whole.slice(1)).length === 0) {
    expectInvalidInput(() => readHeader(bytes, { delimiter }));
    return;
  }
  const header = readHeader(bytes, { delimiter });
  expect(header.columns).to.deep.equal(whole[0]!.fields);
  expect(header.dataStart).to.equal(partition(bytes, 7).dataStart);
  expect(header.bom).to.equal(bytes[0] === 0xef);
  if (columns > 1) expect(readHeader(bytes).delimiter).to.equal(delimiter);
}
