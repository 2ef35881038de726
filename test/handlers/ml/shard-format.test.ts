import { expect } from 'chai';
import { InvalidInput } from '../../../handlers/lib/errors';
import { decodeShard, encodeShard, SHARD_HEADER_BYTES } from '../../../handlers/ml/shard-format';
import { thrown } from '../../support/thrown';
import { awkwardShard, sameBits } from './shard-samples';

describe('handlers/ml/shard-format', () => {
  it('round-trips bit-exactly, with and without row numbers', () => {
    const shard = awkwardShard(37, 5);
    const back = decodeShard(encodeShard(shard), 'k');
    expect([back.rows, back.width]).to.deep.equal([37, 5]);
    sameBits(shard.features, back.features);
    sameBits(shard.labels, back.labels);
    expect([...back.rowNumbers!]).to.deep.equal([...shard.rowNumbers!]);
    const bare = decodeShard(encodeShard({ ...shard, rowNumbers: undefined }), 'k');
    expect(bare.rowNumbers).to.equal(undefined);
    sameBits(shard.features, bare.features);
  });

  it('lays the header out as documented: magic, version, rows, width, flags, little-endian', () => {
    const bytes = encodeShard(awkwardShard(3, 2));
    expect(bytes.toString('latin1', 0, 4)).to.equal('LHSH');
    expect([bytes.readUInt32LE(4), bytes.readUInt32LE(8), bytes.readUInt32LE(12), bytes.readUInt32LE(16)]).to.deep.equal([1, 3, 2, 1]);
    expect(bytes.length).to.equal(SHARD_HEADER_BYTES + 3 * 2 * 4 + 3 * 4 + 3 * 4);
    expect(bytes.readFloatLE(SHARD_HEADER_BYTES + 6 * 4 + 4)).to.equal(1); // labels[1]
  });

  it('decodes from an unaligned view (a pooled Buffer)', () => {
    const bytes = encodeShard(awkwardShard(4, 3));
    const padded = Buffer.alloc(bytes.length + 1);
    bytes.copy(padded, 1);
    sameBits(decodeShard(padded.subarray(1), 'k').features, awkwardShard(4, 3).features);
  });

  it('refuses a wrong magic, a short or long object, a damaged byte and an unknown version, naming the key', () => {
    const good = encodeShard(awkwardShard(10, 4));
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('PAR1 not a shard at all, but long enough'), /magic/],
      [Buffer.from('LHSH'), /fewer than the 32-byte header/],
      [good.subarray(0, good.length - 1), /truncated/],
      [Buffer.concat([good, Buffer.alloc(4)]), /past its end/],
      [(() => { const b = Buffer.from(good); b[SHARD_HEADER_BYTES + 5]! ^= 1; return b; })(), /checksum/],
      [(() => { const b = Buffer.from(good); b.writeUInt32LE(2, 4); return b; })(), /version 2/],
    ];
    for (const [bytes, why] of cases) {
      const err = thrown(InvalidInput, () => decodeShard(bytes, 'jobs/j/work/dataset/train-00000.shard'));
      expect(err.message).to.match(why).and.include('jobs/j/work/dataset/train-00000.shard');
    }
  });
});
