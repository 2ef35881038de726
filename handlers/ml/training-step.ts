// The job's step text while it trains: where a trial is and its last epoch's losses, written at the end
// of every turn and, within a turn (up to 15 minutes in Lambda), at most every STEP_EVERY_MS, so the
// progress table and `longhaul run` follow training live. Losses go down as well as up, which the job's
// figures (sums that only grow) cannot show.
import type { Logger } from '../lib/logger';
import { setJobStep } from '../lib/progress';
import type { TrainProgress } from './train/train-loop';

export const STEP_EVERY_MS = 10_000;

const loss = (v: number | null) => (v === null ? '-' : v.toPrecision(4));

export interface TrialRef {
  trial: number;
  trials: number;
  epochs: number;
}

/** `train trial 2/3: epoch 5/50, batch 71/120, loss 0.02703, val loss 0.004146`, or `... done after 17 epochs (best 12), ...`. */
export function trainingStep(p: TrainProgress & { done?: boolean; bestEpoch?: number | null }, ref: TrialRef): string {
  const which = ref.trials > 1 ? ` trial ${ref.trial + 1}/${ref.trials}` : '';
  const where = p.done
    ? `done after ${p.epoch} epochs (best ${p.bestEpoch === null || p.bestEpoch === undefined ? '-' : p.bestEpoch + 1})`
    : `epoch ${p.epoch + 1}/${ref.epochs}, batch ${p.batch}/${p.batchesPerEpoch}`;
  return `train${which}: ${where}, loss ${loss(p.loss)}, val loss ${loss(p.valLoss)}`;
}

/**
 * Writes the step from the loop's progress without holding it up: one write at a time, at most every
 * `everyMs`, failures logged (the step is for people; the checkpoint is what counts). `flush` waits for
 * the write in flight, so none outlives the invocation.
 */
export function liveTrainingStep(jobId: string, ref: TrialRef, log: Logger, everyMs = STEP_EVERY_MS) {
  let inFlight: Promise<void> = Promise.resolve();
  let busy = false;
  let lastAt = Date.now();
  return {
    update(p: TrainProgress): void {
      if (busy || Date.now() - lastAt < everyMs) return;
      busy = true;
      lastAt = Date.now();
      inFlight = setJobStep(jobId, trainingStep(p, ref))
        .catch((err: unknown) => log.warn('could not write the training step', { error: String(err) }))
        .finally(() => (busy = false));
    },
    flush: () => inFlight,
  };
}
