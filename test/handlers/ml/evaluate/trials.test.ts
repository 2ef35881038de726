import { expect } from 'chai';
import { InternalError } from '../../../../handlers/lib/errors';
import { DEFAULT_SEARCH, leaderboard, trialConfigs, type TrialResult } from '../../../../handlers/ml/evaluate/trials';
import type { TrainConfig } from '../../../../handlers/ml/train/train-config';
import { thrown } from '../../../support/thrown';

const base: TrainConfig = {
  task: 'classification',
  width: 9,
  classes: 3,
  hidden: [64, 32],
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 32,
  seed: 42,
  epochs: 50,
  patience: 5,
  shuffleWindowShards: 4,
};

describe('handlers/ml/evaluate/trials', () => {
  describe('trialConfigs', () => {
    it('starts with the base config and varies only hidden sizes, learning rate and batch size, within the space', () => {
      const configs = trialConfigs(7, 40, base);
      expect(configs).to.have.length(40);
      expect(configs[0]).to.deep.equal(base);
      expect(configs[0]!.hidden).not.to.equal(base.hidden); // a copy, not shared
      for (const c of configs.slice(1)) {
        const { hidden, learningRate, batchSize, ...rest } = c;
        const { hidden: _h, learningRate: _l, batchSize: _b, ...baseRest } = base;
        expect(rest).to.deep.equal(baseRest);
        expect(hidden.length).to.be.within(1, DEFAULT_SEARCH.maxLayers);
        hidden.forEach((u, i) => {
          expect(DEFAULT_SEARCH.units).to.include(u);
          if (i > 0) expect(u).to.be.at.most(hidden[i - 1]!);
        });
        expect(learningRate).to.be.within(base.learningRate / 10, base.learningRate * 10);
        expect(DEFAULT_SEARCH.batchSizes).to.include(batchSize);
      }
      // Random, not constant: the draws spread over the space.
      const rates = configs.slice(1).map((c) => Math.log10(c.learningRate / base.learningRate));
      expect(rates.filter((r) => r < 0).length).to.be.within(8, 31);
      expect(new Set(configs.map((c) => c.batchSize)).size).to.be.at.least(4);
      expect(new Set(configs.map((c) => c.hidden.join('x'))).size).to.be.at.least(10);
    });

    it('is deterministic per seed, differs between seeds, and trial i does not depend on the count', () => {
      expect(trialConfigs(7, 6, base)).to.deep.equal(trialConfigs(7, 6, base));
      expect(trialConfigs(7, 3, base)).to.deep.equal(trialConfigs(7, 6, base).slice(0, 3));
      expect(trialConfigs(8, 6, base).slice(1)).not.to.deep.equal(trialConfigs(7, 6, base).slice(1));
      expect(trialConfigs(7, 1, base)).to.deep.equal([base]);
    });

    it('draws learning rates log-uniformly: each quarter of the exponent range gets a quarter of the draws', () => {
      const exponents = trialConfigs(3, 2001, base)
        .slice(1)
        .map((c) => Math.log10(c.learningRate / base.learningRate));
      const inQuarters = [0, 0, 0, 0];
      for (const e of exponents) inQuarters[Math.min(3, Math.floor((e + 1) * 2))]!++;
      for (const n of inQuarters) expect(n).to.be.within(420, 580); // 500 each expected
    });

    it('refuses a count below 1', () => {
      thrown(InternalError, () => trialConfigs(1, 0, base));
    });
  });

  describe('leaderboard', () => {
    const result = (trial: number, bestValLoss: number | null, bestEpoch = 3): TrialResult<{ id: number }> => ({ trial, config: { id: trial }, bestValLoss, bestEpoch });

    it('ranks by validation loss, ties in trial order, trials without a finite loss last', () => {
      const rows = leaderboard([result(3, 0.5), result(0, 0.4), result(4, null), result(1, 0.5), result(2, 0.2), result(5, NaN), result(6, 0.5)]);
      expect(rows.map((r) => r.trial)).to.deep.equal([2, 0, 1, 3, 6, 4, 5]);
      expect(rows.map((r) => r.rank)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
      expect(rows[0]).to.deep.equal({ trial: 2, config: { id: 2 }, bestValLoss: 0.2, bestEpoch: 3, rank: 1 });
      expect(rows[6]!.bestValLoss).to.equal(null); // NaN would not survive JSON
      // The order of the input does not matter.
      const shuffled = leaderboard([result(6, 0.5), result(5, NaN), result(2, 0.2), result(1, 0.5), result(4, null), result(0, 0.4), result(3, 0.5)]);
      expect(shuffled).to.deep.equal(rows);
    });

    it('refuses a trial reported twice', () => {
      thrown(InternalError, () => leaderboard([result(1, 0.3), result(1, 0.2)]));
    });
  });
});
