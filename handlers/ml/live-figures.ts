// What an ML job shows while it trains (`longhaul run`, the progress table's `figures`): epochs finished
// and batches trained, summed over its trials and added by every train turn (turn-figures.ts: once per
// turn however it is retried), and the train tasks that have run. The latest losses go into the job's
// step text (train.ts): a loss goes down as well as up, and figures are counts that only grow.
import type { JobFigures } from '../lib/progress';
import type { LiveFigure } from '../pipeline';
import type { TrainingState } from './train/training-state';

export const mlLiveFigures = [
  { name: 'epochs', label: 'epochs' },
  { name: 'batches', label: 'batches', rate: true },
  { name: 'trainTasks', label: 'train tasks' },
] as const satisfies readonly LiveFigure[];

/** The figures a training state holds so far (the turn's span adds their difference). */
export function trainingFigures(state: TrainingState): JobFigures {
  return { epochs: state.epoch, batches: state.batches };
}
