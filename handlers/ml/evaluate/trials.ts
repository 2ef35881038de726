// Parallel trials (--trials N): the configurations the Map trains, and trials.json's leaderboard.
//
// Trial 0 is the job's own config, so a search never ends worse (by validation loss) than no search.
// Every other trial draws from its own generator, seeded from the job seed and its index: trial i is
// the same whatever N is, so a job re-run with more trials only adds rows to the leaderboard. Trials
// keep the base seed, so they start from comparable initializations and differ by their settings only.
import { InternalError } from '../../lib/errors';
import { seededRandom } from '../../lib/seeded-random';
import { mixSeed } from '../train/seed-mix';
import type { ModelConfig } from '../train/train-config';

export interface SearchSpace {
  /** Hidden layers: 1 to this many. */
  maxLayers: number;
  /** Units a hidden layer may have; a deeper layer never has more than the one before it. */
  units: readonly number[];
  /** Learning rates are drawn log-uniform within the base's divided and multiplied by this. */
  learningRateFactor: number;
  batchSizes: readonly number[];
}

export const DEFAULT_SEARCH: SearchSpace = {
  maxLayers: 3,
  units: [8, 16, 32, 64, 128],
  learningRateFactor: 10,
  batchSizes: [16, 32, 64, 128, 256],
};

/** Tag separating the trials' generators from the other seeds derived from the job seed. */
const TRIAL_SEED_TAG = 0x7419;

type TrialFields = Pick<ModelConfig, 'hidden' | 'learningRate' | 'batchSize'>;

export function trialConfigs<C extends TrialFields>(seed: number, count: number, base: C, space: SearchSpace = DEFAULT_SEARCH): C[] {
  if (!Number.isInteger(count) || count < 1) throw new InternalError(`Trials must be a positive integer, got ${count}`);
  if (space.units.length === 0 || space.batchSizes.length === 0 || space.maxLayers < 1 || !(space.learningRateFactor >= 1)) {
    throw new InternalError(`Bad search space: ${JSON.stringify(space)}`);
  }
  const configs: C[] = [{ ...base, hidden: [...base.hidden] }];
  for (let i = 1; i < count; i++) {
    const random = seededRandom(mixSeed(seed, TRIAL_SEED_TAG, i));
    const layers = random.int(1, space.maxLayers);
    const hidden: number[] = [];
    for (let l = 0; l < layers; l++) {
      const allowed = l === 0 ? space.units : space.units.filter((u) => u <= hidden[l - 1]!);
      hidden.push(random.pick(allowed.length > 0 ? allowed : [Math.min(...space.units)]));
    }
    const exponent = 2 * random.next() - 1;
    const learningRate = base.learningRate * space.learningRateFactor ** exponent;
    configs.push({ ...base, hidden, learningRate, batchSize: random.pick(space.batchSizes) });
  }
  return configs;
}

export interface TrialResult<C> {
  trial: number;
  config: C;
  /** Null (or NaN, Infinity) when the trial never produced a finite validation loss: ranked last, shown as null. */
  bestValLoss: number | null;
  bestEpoch: number;
}

export interface LeaderboardRow<C> extends TrialResult<C> {
  /** 1 is the trial to evaluate. */
  rank: number;
}

/** Lowest validation loss first; equal losses (and trials without one) in trial order. */
export function leaderboard<C>(results: readonly TrialResult<C>[]): LeaderboardRow<C>[] {
  const seen = new Set<number>();
  for (const r of results) {
    if (seen.has(r.trial)) throw new InternalError(`Trial ${r.trial} appears twice in the results`);
    seen.add(r.trial);
  }
  const key = (r: TrialResult<C>) => (r.bestValLoss !== null && Number.isFinite(r.bestValLoss) ? r.bestValLoss : Infinity);
  return [...results]
    .sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      return ka < kb ? -1 : ka > kb ? 1 : a.trial - b.trial;
    })
    .map((r, i) => ({ ...r, bestValLoss: key(r) === Infinity ? null : r.bestValLoss, rank: i + 1 }));
}
