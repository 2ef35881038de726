import { expect } from 'chai';
import { InvalidInput } from '../../../handlers/lib/errors';
import type { DatasetColumn } from '../../../handlers/ml/dataset-columns';
import {
  checkInputColumns,
  emptyTally,
  encodeLabels,
  encodeRows,
  fitPreprocessing,
  inputNames,
  parsePreprocessing,
  type Preprocessing,
} from '../../../handlers/ml/preprocessing';
import { thrown } from '../../support/thrown';

// Rows 0-3 train, 4-5 held out: the held-out values are extreme so that fitting on them would show.
const size: DatasetColumn = { name: 'size', kind: 'numeric', values: Float64Array.from([1, 2, NaN, 3, 1000, -1000]), missing: 1 };
const color: DatasetColumn = { name: 'color', kind: 'categorical', levels: ['red', 'blue', 'green', 'pink'], codes: Int32Array.from([0, 1, 1, -1, 2, 3]), missing: 1 };
const train = Int32Array.from([0, 1, 2, 3]);

function fit(): Preprocessing {
  return fitPreprocessing({
    task: 'classification',
    features: [size, color],
    label: { name: 'y', kind: 'categorical', classes: ['no', 'yes'] },
    trainRows: train,
    rowNumbers: Float64Array.from([2, 3, 4, 5, 6, 7]),
    source: 't.csv',
  });
}

describe('handlers/ml/preprocessing', () => {
  it('fits on the training rows only: mean, population std, sorted vocabulary, mode', () => {
    const p = fit();
    expect(p.features[0]).to.deep.equal({ name: 'size', kind: 'numeric', mean: 2, std: Math.sqrt(2 / 3), impute: 2 });
    // green and pink appear only outside train: not in the vocabulary.
    expect(p.features[1]).to.deep.equal({ name: 'color', kind: 'categorical', levels: ['blue', 'red'], impute: 'blue' });
    expect(p.width).to.equal(3);
    expect(inputNames(p)).to.deep.equal(['size', 'color=blue', 'color=red']);
  });

  it('stores a std of 1 for a feature constant in train (its input is then 0), and breaks a mode tie by sorted order', () => {
    const flat: DatasetColumn = { name: 'flat', kind: 'numeric', values: Float64Array.from([5, 5, 5, 5, 9, 9]), missing: 0 };
    const tie: DatasetColumn = { name: 'tie', kind: 'categorical', levels: ['b', 'a'], codes: Int32Array.from([0, 1, 0, 1, 0, 0]), missing: 0 };
    const p = fitPreprocessing({ task: 'regression', features: [flat, tie], label: { name: 'y', kind: 'numeric', classes: [] }, trainRows: train, rowNumbers: [2, 3, 4, 5, 6, 7], source: 't' });
    expect(p.features[0]).to.deep.include({ mean: 5, std: 1 });
    expect(p.features[1]).to.deep.include({ levels: ['a', 'b'], impute: 'a' });
    expect([...encodeRows(p, [{ flat: 5, tie: null }])]).to.deep.equal([0, 1, 0]);
  });

  it('encodes raw rows: standardized numbers, one-hot levels, imputation and unseen levels counted', () => {
    const p = fit();
    const tally = emptyTally(p);
    const rows = [
      { size: '3', color: 'red', y: 'yes' },
      { size: 'NA', color: '', y: 'no' },
      { size: 1, color: 'purple', y: 'no' },
      { size: null, color: null, y: 'yes' },
    ];
    const x = encodeRows(p, rows, { tally });
    const z = (v: number) => Math.fround((v - 2) / Math.sqrt(2 / 3));
    expect([...x]).to.deep.equal([z(3), 0, 1, 0, 1, 0, z(1), 0, 0, 0, 1, 0]);
    expect(tally).to.deep.equal({ imputed: { size: 2, color: 2 }, unseen: { color: 1 } });
    expect([...encodeLabels(p, rows)]).to.deep.equal([1, 0, 0, 1]);
  });

  it('refuses text or infinities in a numeric feature, and unknown or missing labels, naming the row', () => {
    const p = fit();
    const e1 = thrown(InvalidInput, () => encodeRows(p, [{ size: '1' }, { size: 'big' }], { rowNumbers: [10, 11] }));
    expect(e1.message).to.include('"size"').and.include('row 11').and.include('"big"');
    expect(thrown(InvalidInput, () => encodeRows(p, [{ size: 'Infinity' }])).message).to.include('row 1');
    expect(thrown(InvalidInput, () => encodeLabels(p, [{ y: 'maybe' }])).message).to.include('"maybe"');
    expect(thrown(InvalidInput, () => encodeLabels(p, [{ y: 'no' }, { y: '.' }])).message).to.include('missing at row 2');
  });

  it('reads numeric class labels as numbers: "1.0" and 1 are the same class', () => {
    const p: Preprocessing = { ...fit(), label: { name: 'y', kind: 'numeric', classes: ['0', '1', '2'] } };
    expect([...encodeLabels(p, [{ y: '1.0' }, { y: 2 }, { y: ' 0 ' }])]).to.deep.equal([1, 2, 0]);
  });

  it('preprocessing.json round-trips through its schema, which refuses an inconsistent one', () => {
    const p = fit();
    expect(parsePreprocessing(JSON.parse(JSON.stringify(p)), 'k')).to.deep.equal(p);
    const err = thrown(InvalidInput, () => parsePreprocessing({ ...p, width: 4 }, 'jobs/j/work/dataset/preprocessing.json'));
    expect(err.message).to.include('width').and.include('preprocessing.json');
    expect(() => parsePreprocessing({ ...p, features: [{ ...p.features[1], impute: 'green' }] }, 'k')).to.throw(InvalidInput);
  });

  it('names the feature columns a file to score lacks', () => {
    expect(thrown(InvalidInput, () => checkInputColumns(fit(), ['size', 'y'], 'rows.csv')).message).to.include('"color"');
    checkInputColumns(fit(), ['color', 'size'], 'rows.csv');
  });
});
