// A partition's records and the cursor after each: byte offsets in the file, whatever the bytes decode to.
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { csvRecords } from '../../../handlers/etl/csv-rows';

async function records(bytes: Buffer, start = 100, firstRow = 2) {
  const out = [];
  for await (const r of csvRecords(Readable.from([bytes.subarray(0, 7), bytes.subarray(7)]), { start, firstRow, delimiter: ',' })) out.push(r);
  return out;
}

describe('handlers/etl/csv-rows', () => {
  it('ends each record at its byte offset in the file, invalid UTF-8, multi-byte text and CRLF included', async () => {
    const bytes = Buffer.concat([
      Buffer.from('1,Caf'), Buffer.from([0xe9, 0xff]), Buffer.from(',x\n'),
      Buffer.from('2,"日本\n茶",y\r\n'),
      Buffer.from('\n'),
      Buffer.from('3,z'),
    ]);
    const got = await records(bytes);
    // Offsets counted by hand from the bytes above: 10 (two invalid bytes), +18 (three 3-byte characters, CRLF), +1 blank, +3.
    expect(got.map((r) => r.end)).to.deep.equal([110, 128, 132]);
    expect(got.map((r) => r.row)).to.deep.equal([2, 3, 5]);
    expect(got[1]!.fields).to.deep.equal(['2', '日本\n茶', 'y']);
    expect(got[0]!.fields[1]).to.contain('\uFFFD');
    expect(got[2]!.raw).to.equal('3,z');
  });
});
