import { expect } from 'chai';
import { readBucket, readConfig, readTable } from '../../../handlers/lib/config';
import { DEFAULT_REGION } from '../../../handlers/lib/storage-layout';

describe('handlers/lib/config', () => {
  it('reads bucket, table and region from the environment', () => {
    const env = { LONGHAUL_BUCKET: 'b', LONGHAUL_TABLE: 't', AWS_REGION: 'eu-west-3' };
    expect(readConfig(env)).to.deep.equal({ bucket: 'b', table: 't', region: 'eu-west-3' });
  });

  it('defaults the region', () => {
    expect(readConfig({ LONGHAUL_BUCKET: 'b', LONGHAUL_TABLE: 't' }).region).to.equal(DEFAULT_REGION);
  });

  it('names the missing variable', () => {
    expect(() => readConfig({ LONGHAUL_TABLE: 't' })).to.throw(/LONGHAUL_BUCKET/);
    expect(() => readConfig({ LONGHAUL_BUCKET: 'b', LONGHAUL_TABLE: '  ' })).to.throw(/LONGHAUL_TABLE/);
  });

  it('reads the bucket without demanding a table, and the other way round', () => {
    expect(readBucket({ LONGHAUL_BUCKET: 'b' })).to.equal('b');
    expect(readTable({ LONGHAUL_TABLE: 't' })).to.equal('t');
    expect(() => readBucket({ LONGHAUL_TABLE: 't' })).to.throw(/LONGHAUL_BUCKET/);
    expect(() => readTable({})).to.throw(/LONGHAUL_TABLE/);
  });
});
