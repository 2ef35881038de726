import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInput } from '../../../handlers/lib/errors';
import type { CategoricalColumn, DatasetColumn, NumericColumn } from '../../../handlers/ml/dataset-columns';
import { openDataset, type ColumnRequest } from '../../../handlers/ml/dataset-read';
import { writeParquet } from '../../../handlers/etl/parquet-write';
import { rejection } from '../../support/rejection';

function numeric(c: DatasetColumn | undefined): NumericColumn {
  expect(c?.kind).to.equal('numeric');
  return c as NumericColumn;
}
function categorical(c: DatasetColumn | undefined): CategoricalColumn {
  expect(c?.kind).to.equal('categorical');
  return c as CategoricalColumn;
}

describe('handlers/ml/dataset-read', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-read-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const readCsv = async (content: string, requests?: ColumnRequest[]) => {
    const ds = await openDataset({ path: file('t.csv', content) });
    return ds.read(requests ?? ds.columns.map((name) => ({ name })));
  };

  it('infers numeric and categorical columns from CSV text, with missing markers and file row numbers', async () => {
    // Row 4 is blank and row 5's quoted field spans two lines: rows are the file's records, the header
    // being row 1 and blank lines counting, as in the ETL's rejects.csv.
    const csv = 'x;kind;n\n1.5;a;3\n NA ;.;4\n\n"2";"b\nc";\n-7e1;a;5\n';
    const t = await readCsv(csv);
    expect(t.rows).to.equal(4);
    expect([...t.rowNumbers]).to.deep.equal([2, 3, 5, 6]);
    const x = numeric(t.columns.get('x'));
    expect([...x.values]).to.deep.equal([1.5, NaN, 2, -70]);
    expect(x.missing).to.equal(1);
    const kind = categorical(t.columns.get('kind'));
    expect(kind.levels).to.deep.equal(['a', 'b\nc']);
    expect([...kind.codes]).to.deep.equal([0, -1, 1, 0]);
    expect(kind.firstText).to.deep.equal({ row: 2, text: 'a' });
    expect(numeric(t.columns.get('n')).missing).to.equal(1);
  });

  it('lets the job make a numeric-looking column categorical, and refuses text in one it makes numeric', async () => {
    const csv = 'cyl,v\n4,1\n6,x\n4,\n';
    const t = await readCsv(csv, [{ name: 'cyl', kind: 'categorical' }]);
    const cyl = categorical(t.columns.get('cyl'));
    expect(cyl.levels).to.deep.equal(['4', '6']);
    expect(cyl.firstText).to.equal(undefined);
    const err = await rejection(readCsv(csv, [{ name: 'v', kind: 'numeric' }]));
    expect(err).to.be.instanceOf(InvalidInput);
    expect(err.message).to.include('"v"').and.include('row 3').and.include('"x"');
  });

  for (const bad of ['NaN', 'Infinity', '-inf']) {
    it(`refuses ${bad} in a numeric column, naming the column and the row`, async () => {
      const err = await rejection(readCsv(`a,b\n1,2\n3,4\n5,${bad}\n`));
      expect(err).to.be.instanceOf(InvalidInput);
      expect(err.message).to.include('"b"').and.include('row 4').and.include(bad);
    });
  }

  it('refuses a row with the wrong number of fields, naming it', async () => {
    const err = await rejection(readCsv('a,b\n1,2\n3\n'));
    expect(err).to.be.instanceOf(InvalidInput);
    expect(err.message).to.include('row 3').and.include('1 fields');
  });

  it('refuses a file ending inside a quoted field', async () => {
    const err = await rejection(readCsv('a,b\n1,2\n3,"4\n5,6\n'));
    expect(err).to.be.instanceOf(InvalidInput);
    expect(err.message).to.include('not readable CSV');
  });

  it('refuses a header naming a column twice', async () => {
    const err = await rejection(openDataset({ path: file('dup.csv', 'a,b,a\n1,2,3\n') }));
    expect(err).to.be.instanceOf(InvalidInput);
    expect(err.message).to.include('"a" twice');
  });

  it('reads Parquet typed columns: ints, decimals, floats as numbers; strings and booleans as levels; nulls missing', async () => {
    const path = file(
      't.parquet',
      writeParquet([
        { name: 'i', type: { kind: 'int', nullable: true }, values: [1n, null, -3n] },
        { name: 'd', type: { kind: 'decimal', precision: 12, scale: 2, nullable: false }, values: [1234n, -5n, 10n] },
        { name: 'f', type: { kind: 'float', nullable: true }, values: [0.1, 2.5, null] },
        { name: 's', type: { kind: 'string', nullable: true }, values: ['x', 'NA', 'y'] },
        { name: 'b', type: { kind: 'bool', nullable: false }, values: [true, false, true] },
      ]),
    );
    const ds = await openDataset({ path });
    expect(ds.format).to.equal('parquet');
    expect(ds.columns).to.deep.equal(['i', 'd', 'f', 's', 'b']);
    const t = await ds.read(ds.columns.map((name) => ({ name })));
    expect([...t.rowNumbers]).to.deep.equal([1, 2, 3]);
    expect([...numeric(t.columns.get('i')).values]).to.deep.equal([1, NaN, -3]);
    expect([...numeric(t.columns.get('d')).values]).to.deep.equal([12.34, -0.05, 0.1]);
    expect([...numeric(t.columns.get('f')).values]).to.deep.equal([0.1, 2.5, NaN]);
    const s = categorical(t.columns.get('s'));
    expect([s.levels, [...s.codes], s.missing]).to.deep.equal([['x', 'y'], [0, -1, 1], 1]);
    expect(categorical(t.columns.get('b')).levels).to.deep.equal(['true', 'false']);
  });

  it('refuses a NaN double in a Parquet column, naming the row', async () => {
    const path = file('nan.parquet', writeParquet([{ name: 'f', type: { kind: 'float', nullable: false }, values: [1, 2, NaN] }]));
    const ds = await openDataset({ path });
    const err = await rejection(ds.read([{ name: 'f' }]));
    expect(err).to.be.instanceOf(InvalidInput);
    expect(err.message).to.include('"f"').and.include('row 3');
  });
});
