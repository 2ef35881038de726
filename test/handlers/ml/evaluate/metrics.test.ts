import { expect } from 'chai';
import { InternalError } from '../../../../handlers/lib/errors';
import { classificationMetrics, LOG_LOSS_EPS, regressionMetrics } from '../../../../handlers/ml/evaluate/metrics';
import { seededRandom } from '../../../../handlers/lib/seeded-random';
import { thrown } from '../../../support/thrown';

const f32 = (values: number[]) => Float32Array.from(values);

/** sklearn's log_loss (eps=1e-15) and accuracy, written over number[][] the plain way. */
function referenceClassification(labels: number[], probs: number[][]) {
  let loss = 0;
  let correct = 0;
  const k = probs[0]!.length;
  const confusion: number[][] = [];
  for (let a = 0; a < k; a++) confusion.push(Array(k).fill(0));
  labels.forEach((label, r) => {
    const clipped = probs[r]!.map((p) => Math.min(Math.max(p, 1e-15), 1 - 1e-15));
    const total = clipped.reduce((a, b) => a + b, 0);
    loss += -Math.log(clipped[label]! / total);
    const best = probs[r]!.indexOf(Math.max(...probs[r]!));
    confusion[label]![best]! += 1;
    if (best === label) correct += 1;
  });
  return { accuracy: correct / labels.length, logLoss: loss / labels.length, confusion };
}

describe('handlers/ml/evaluate/metrics', () => {
  describe('classificationMetrics', () => {
    it('matches a hand-worked case: accuracy, log loss, confusion [actual][predicted], per class', () => {
      const m = classificationMetrics(f32([0, 1, 1]), f32([0.8, 0.2, 0.4, 0.6, 0.7, 0.3]), ['no', 'yes']);
      expect(m.accuracy).to.be.closeTo(2 / 3, 1e-12);
      // -(ln 0.8 + ln 0.6 + ln 0.3) / 3
      expect(m.logLoss).to.be.closeTo(0.645980656, 1e-6);
      expect(m.confusion).to.deep.equal([
        [1, 0],
        [1, 1],
      ]);
      expect(m.perClass[0]).to.deep.include({ class: 'no', support: 1, recall: 1 });
      expect(m.perClass[0]!.precision).to.be.closeTo(0.5, 1e-12);
      expect(m.perClass[0]!.f1).to.be.closeTo(2 / 3, 1e-12);
      expect(m.perClass[1]).to.deep.include({ class: 'yes', support: 2, precision: 1, recall: 0.5 });
    });

    it('clips probabilities at 1e-15 as scikit-learn does, so a certain mistake costs -ln(1e-15), not Infinity', () => {
      expect(LOG_LOSS_EPS).to.equal(1e-15);
      const m = classificationMetrics(f32([0]), f32([0, 1]), ['a', 'b']);
      expect(m.logLoss).to.be.closeTo(34.538776394910684, 1e-9); // sklearn.metrics.log_loss([0], [[0, 1]], labels=[0, 1])
      expect(m.accuracy).to.equal(0);
      const sure = classificationMetrics(f32([1, 0]), f32([0, 1, 1, 0]), ['a', 'b']);
      expect(sure.logLoss).to.be.greaterThan(0).and.below(1e-14);
    });

    it('renormalizes rows that do not sum to 1, and treats NaN outputs as the worst allowed', () => {
      const m = classificationMetrics(f32([0]), f32([0.2, 0.2]), ['a', 'b']);
      expect(m.logLoss).to.be.closeTo(Math.LN2, 1e-12);
      const nan = classificationMetrics(f32([1]), f32([NaN, NaN, NaN]), ['a', 'b', 'c']);
      expect(Number.isFinite(nan.logLoss)).to.equal(true);
    });

    it('agrees with a plain reference on random cases (including ties, which go to the lowest class)', () => {
      const random = seededRandom(7);
      for (let trial = 0; trial < 20; trial++) {
        const k = random.int(2, 5);
        const rows = random.int(1, 40);
        const labels: number[] = [];
        const probs: number[][] = [];
        for (let r = 0; r < rows; r++) {
          labels.push(random.int(0, k - 1));
          // Quantized to tenths so ties happen; float32 on both sides so the inputs are the same.
          const raw = Array.from({ length: k }, () => Math.round(random.next() * 10) / 10);
          const sum = raw.reduce((a, b) => a + b, 0) || 1;
          probs.push(raw.map((p) => Math.fround(p / sum)));
        }
        const got = classificationMetrics(Float32Array.from(labels), Float32Array.from(probs.flat()), Array.from({ length: k }, (_, i) => `c${i}`));
        const want = referenceClassification(labels, probs);
        expect(got.accuracy).to.be.closeTo(want.accuracy, 1e-12);
        expect(got.logLoss).to.be.closeTo(want.logLoss, 1e-9 * Math.max(1, want.logLoss));
        expect(got.confusion).to.deep.equal(want.confusion);
      }
    });

    it('refuses what can only be a bug: labels that are not class indices, sizes that disagree, no rows', () => {
      expect(thrown(InternalError, () => classificationMetrics(f32([2]), f32([0.5, 0.5]), ['a', 'b'])).message).to.match(/label 2/);
      expect(thrown(InternalError, () => classificationMetrics(f32([0.5]), f32([0.5, 0.5]), ['a', 'b'])).message).to.match(/label 0.5/);
      thrown(InternalError, () => classificationMetrics(f32([0, 1]), f32([0.5, 0.5]), ['a', 'b']));
      thrown(InternalError, () => classificationMetrics(f32([0]), f32([0.5, 0.5, 0.1]), ['a', 'b']));
      thrown(InternalError, () => classificationMetrics(f32([]), f32([]), ['a', 'b']));
    });
  });

  describe('regressionMetrics', () => {
    it('matches a hand-worked case', () => {
      const m = regressionMetrics(f32([1, 2, 3, 4]), f32([1.5, 2, 2, 5]));
      expect(m.rmse).to.be.closeTo(0.75, 1e-12);
      expect(m.mae).to.be.closeTo(0.625, 1e-12);
      expect(m.r2).to.be.closeTo(0.55, 1e-12);
    });

    it('gives r2 1 for a perfect fit of constant labels and 0 otherwise (never NaN)', () => {
      expect(regressionMetrics(f32([3, 3]), f32([3, 3])).r2).to.equal(1);
      expect(regressionMetrics(f32([3, 3]), f32([3, 4])).r2).to.equal(0);
    });

    it('agrees with a plain reference on random cases', () => {
      const random = seededRandom(11);
      for (let trial = 0; trial < 20; trial++) {
        const n = random.int(2, 50);
        const y = Array.from({ length: n }, () => Math.fround((random.next() - 0.5) * 100));
        const p = y.map((v) => Math.fround(v + (random.next() - 0.5) * 20));
        const errors = y.map((v, i) => p[i]! - v);
        const mean = y.reduce((a, b) => a + b, 0) / n;
        const ssRes = errors.reduce((a, e) => a + e * e, 0);
        const ssTot = y.reduce((a, v) => a + (v - mean) ** 2, 0);
        const got = regressionMetrics(Float32Array.from(y), Float32Array.from(p));
        expect(got.rmse).to.be.closeTo(Math.sqrt(ssRes / n), 1e-9);
        expect(got.mae).to.be.closeTo(errors.reduce((a, e) => a + Math.abs(e), 0) / n, 1e-9);
        expect(got.r2).to.be.closeTo(1 - ssRes / ssTot, 1e-9);
      }
    });

    it('refuses sizes that disagree and empty input', () => {
      thrown(InternalError, () => regressionMetrics(f32([1, 2]), f32([1])));
      thrown(InternalError, () => regressionMetrics(f32([]), f32([])));
    });
  });
});
