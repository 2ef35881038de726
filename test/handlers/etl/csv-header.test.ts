import { expect } from 'chai';
import { detectDelimiter, readHeader, readHeaderFrom, type CsvHeader } from '../../../handlers/etl/csv-header';
import { InvalidInput } from '../../../handlers/lib/errors';

const header = (text: string | Buffer, opts?: Parameters<typeof readHeader>[1]): CsvHeader => readHeader(Buffer.from(text), opts);

function invalid(text: string | Buffer, opts?: Parameters<typeof readHeader>[1]): string {
  try {
    header(text, opts);
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidInput);
    return (err as Error).message;
  }
  throw new Error(`expected InvalidInput for ${JSON.stringify(String(text))}`);
}

/** A reader over a buffer that records what was asked of it. */
function recordingReader(file: Buffer) {
  const reads: [number, number][] = [];
  const readRange = async (start: number, endInclusive: number) => {
    reads.push([start, endInclusive]);
    return file.subarray(start, endInclusive + 1);
  };
  return { reads, readRange };
}

describe('handlers/etl/csv-header', () => {
  it('reads the column names and where the data starts', () => {
    expect(header('id,name,price\n1,a,2\n')).to.deep.equal({
      columns: ['id', 'name', 'price'],
      delimiter: ',',
      bom: false,
      headerStart: 0,
      dataStart: 14,
    });
  });

  it('unquotes quoted names holding delimiters, newlines and escaped quotes; keeps empty names', () => {
    const h = header('"a,b","line\nbreak","say ""hi""",,""\nx,y,z,1,2\n');
    expect(h.columns).to.deep.equal(['a,b', 'line\nbreak', 'say "hi"', '', '']);
    expect(h.dataStart).to.equal(36);
  });

  it('skips and reports a byte order mark, which moves the offsets and nothing else; decodes multi-byte names', () => {
    const plain = header('naïve,日本,😀\n1,2,3\n');
    expect(plain.columns).to.deep.equal(['naïve', '日本', '😀']);
    expect(header('\uFEFFnaïve,日本,😀\n1,2,3\n')).to.deep.equal({ ...plain, bom: true, headerStart: 3, dataStart: plain.dataStart + 3 });
  });

  it('takes CRLF as the line break: no \\r in the last name', () => {
    const h = header('a,b\r\n1,2\r\n');
    expect(h.columns).to.deep.equal(['a', 'b']);
    expect(h.dataStart).to.equal(5);
  });

  it('detects , ; tab and | from the header row, counting only outside quotes', () => {
    expect(header('a;b;c\n1;2;3\n').delimiter).to.equal(';');
    expect(header('a\tb\n1\t2\n').columns).to.deep.equal(['a', 'b']);
    expect(header('a|"b,c,d"|e\n1|2|3\n')).to.include({ delimiter: '|' });
    expect(header('a|"b,c,d"|e\n1|2|3\n').columns).to.deep.equal(['a', 'b,c,d', 'e']);
    expect(detectDelimiter('a;b,c')).to.equal(',');
    expect(detectDelimiter('only')).to.equal(',');
  });

  it('uses the delimiter given rather than detecting one', () => {
    expect(header('a,b;c\n1\n', { delimiter: ';' }).columns).to.deep.equal(['a,b', 'c']);
  });

  it('refuses an empty file, a file of only a byte order mark, and a blank first line', () => {
    expect(invalid('')).to.equal('The CSV file is empty');
    expect(invalid('\uFEFF')).to.equal('The CSV file is empty');
    expect(invalid('\n1,2\n')).to.match(/header row is empty/);
    expect(invalid('\r\n1,2\n')).to.match(/header row is empty/);
  });

  it('refuses a header with no data rows: nothing after it, or only blank lines', () => {
    for (const text of ['a,b', 'a,b\n', 'a,b\r\n', '\uFEFFa,b\n', 'a,b\n\n\r\n', '"a\nb",c']) {
      expect(invalid(text, { key: 'jobs/j/input/x.csv' })).to.equal('The CSV file has a header but no data rows (key "jobs/j/input/x.csv")');
    }
  });

  it('refuses a malformed header row, naming the column', () => {
    expect(invalid('a,"b\n')).to.equal('Column 2 of the CSV header row opens a quote that is never closed');
    expect(invalid('a,"b"c\n1,2\n')).to.equal('Column 2 of the CSV header row has "c" after its closing quote instead of ","');
    expect(invalid('a,b"c\n1,2\n')).to.match(/^Column 2 of the CSV header row has a quote inside an unquoted name/);
    expect(invalid(Buffer.from([0x61, 0x2c, 0xff, 0x0a, 0x31, 0x0a]))).to.equal('The CSV header row is not valid UTF-8');
  });

  it('refuses bytes that end inside the header row when the file goes on', () => {
    expect(invalid('a,b,c', { fileSize: 100 })).to.match(/does not end within the first 5 bytes/);
    expect(header('a,b\n1', { fileSize: 100 }).dataStart).to.equal(4);
  });

  describe('readHeaderFrom', () => {
    it('reads only the start of a large file, in one read', async () => {
      const file = Buffer.from('a,b\n' + '1,2\n'.repeat(100_000));
      const { reads, readRange } = recordingReader(file);
      const h = await readHeaderFrom(readRange, file.length, { firstReadBytes: 1024 });
      expect(h.columns).to.deep.equal(['a', 'b']);
      expect(reads).to.deep.equal([[0, 1023]]);
    });

    it('reads further, without reading a byte twice, when the header row is long', async () => {
      const names = Array.from({ length: 300 }, (_, i) => `"column\n${i}"`).join(',');
      const file = Buffer.from(names + '\n' + '1\n'.repeat(1000));
      const { reads, readRange } = recordingReader(file);
      const h = await readHeaderFrom(readRange, file.length, { firstReadBytes: 256 });
      expect(h.columns).to.have.length(300);
      expect(h.columns[299]).to.equal('column\n299');
      expect(reads).to.deep.equal([[0, 255], [256, 511], [512, 1023], [1024, 2047], [2048, 4095]]);
    });

    it('refuses a header row longer than the limit, and an empty file without reading', async () => {
      const file = Buffer.from('x'.repeat(5000) + '\n1\n');
      const { reads, readRange } = recordingReader(file);
      const err = await readHeaderFrom(readRange, file.length, { firstReadBytes: 100, maxHeaderBytes: 1000 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(InvalidInput);
      expect((err as Error).message).to.match(/does not end within the first 1000 bytes/);
      expect(reads.at(-1)).to.deep.equal([800, 999]);

      const empty = recordingReader(Buffer.alloc(0));
      expect(await readHeaderFrom(empty.readRange, 0).catch((e: unknown) => (e as Error).message)).to.equal('The CSV file is empty');
      expect(empty.reads).to.deep.equal([]);
    });

    it('reads a small file whole and spots that it has no data rows', async () => {
      const { reads, readRange } = recordingReader(Buffer.from('a,b\n'));
      expect(await readHeaderFrom(readRange, 4).catch((e: unknown) => (e as Error).message)).to.match(/header but no data rows/);
      expect(reads).to.deep.equal([[0, 3]]);
    });

    it('refuses a file shorter than the size it was given (the object changed)', async () => {
      const { readRange } = recordingReader(Buffer.from('a,b,c,d'));
      const err = await readHeaderFrom(readRange, 1000, { firstReadBytes: 4 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(InvalidInput);
      expect((err as Error).message).to.equal('Read 3 bytes at 4-7 where 4 were expected: the file is shorter than planned');
    });
  });
});
