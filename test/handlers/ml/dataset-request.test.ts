import { expect } from 'chai';
import { InvalidInput } from '../../../handlers/lib/errors';
import { datasetRequestSchema, parseFeatureList } from '../../../handlers/ml/dataset-request';
import { thrown } from '../../support/thrown';

describe('handlers/ml/dataset-request', () => {
  it('reads --features with optional :numeric / :categorical suffixes; other colons belong to the name', () => {
    expect(parseFeatureList('Horsepower, Cylinders:categorical,Year:numeric,time:of:day')).to.deep.equal([
      'Horsepower',
      { name: 'Cylinders', kind: 'categorical' },
      { name: 'Year', kind: 'numeric' },
      'time:of:day',
    ]);
    expect(thrown(InvalidInput, () => parseFeatureList('a,,b')).message).to.include('empty name');
  });

  it('applies the defaults once: batch 32, seed 1, 70/15/15', () => {
    expect(datasetRequestSchema.parse({ label: 'y' })).to.deep.equal({ label: 'y', batchSize: 32, seed: 1, split: { validation: 0.15, test: 0.15 } });
  });
});
