// The job's step text while it trains: what `longhaul run` and the progress table show between turns.
import { expect } from 'chai';
import { trainingStep } from '../../../handlers/ml/training-step';

const progress = { epoch: 4, phase: 'train' as const, batch: 71, batchesPerEpoch: 120, loss: 0.027031, valLoss: 0.0041462, bestValLoss: 0.004 };

describe('handlers/ml/training-step', () => {
  it('names the epoch in progress (from 1), the batch and the last epoch\'s losses', () => {
    expect(trainingStep(progress, { trial: 0, trials: 1, epochs: 50 })).to.equal('train: epoch 5/50, batch 71/120, loss 0.02703, val loss 0.004146');
  });

  it('names the trial when there are several, and a finished loop\'s epochs and best epoch', () => {
    expect(trainingStep({ ...progress, epoch: 17, done: true, bestEpoch: 11 }, { trial: 1, trials: 3, epochs: 50 })).to.equal(
      'train trial 2/3: done after 17 epochs (best 12), loss 0.02703, val loss 0.004146',
    );
  });

  it('shows a dash before the first epoch has losses', () => {
    expect(trainingStep({ ...progress, epoch: 0, loss: null, valLoss: null }, { trial: 0, trials: 1, epochs: 5 })).to.equal('train: epoch 1/5, batch 71/120, loss -, val loss -');
  });
});
