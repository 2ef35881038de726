// The JSON half of a training checkpoint: where training is (epoch, phase, position in the epoch's
// order), what it has learned about itself (history, best validation loss, patience used) and which
// weights object holds its tensors. With the job's seed this is the whole state: the epoch's shuffle is
// recomputed from (seed, epoch), so no generator state is saved (epoch-order.ts).
import { z } from 'zod';
import { trainConfigSchema, type TrainConfig } from './train-config';

const tensorSpecSchema = z.object({
  group: z.enum(['model', 'optimizer', 'best']),
  name: z.string(),
  shape: z.array(z.number().int().min(0)),
  dtype: z.enum(['float32', 'int32']),
});

const weightsRefSchema = z.object({
  key: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  tensors: z.array(tensorSpecSchema),
});

const epochRecordSchema = z.object({
  epoch: z.number().int().min(0),
  /** Mean training loss over the epoch's rows (each batch's loss as it was trained). */
  loss: z.number(),
  valLoss: z.number(),
});

export const TRAINING_STATE_VERSION = 1;

export const trainingStateSchema = z.object({
  version: z.literal(TRAINING_STATE_VERSION),
  config: trainConfigSchema,
  /** Completed epochs; the epoch in progress while not done. */
  epoch: z.number().int().min(0),
  /** Training the epoch's batches, then the validation pass that ends it. */
  phase: z.enum(['train', 'validate', 'done']),
  /** Rows of the phase done: epoch positions trained, or validation rows evaluated. */
  position: z.number().int().min(0),
  /** Sum over this epoch's trained rows of their batch's loss (float64: exact across tasks). */
  trainLossSum: z.number(),
  /** Sum of the validation rows' losses so far in this validation pass. */
  valLossSum: z.number(),
  best: z.object({ epoch: z.number().int().min(0), valLoss: z.number() }).nullable(),
  epochsWithoutImprovement: z.number().int().min(0),
  history: z.array(epochRecordSchema),
  stopReason: z.enum(['epochs', 'patience']).nullable(),
  batches: z.number().int().min(0),
  /** Invocations that trained and saved (metrics.json's trainTasks). */
  tasks: z.number().int().min(0),
  /** Backends that trained this model (normally one; two means a task fell back and results may differ in the last bits). */
  backends: z.array(z.string()),
  /** Null only before the first checkpoint. */
  weights: weightsRefSchema.nullable(),
});

export type TrainingState = z.infer<typeof trainingStateSchema>;
export type EpochRecord = z.infer<typeof epochRecordSchema>;

export function initialTrainingState(config: TrainConfig): TrainingState {
  return {
    version: TRAINING_STATE_VERSION,
    config,
    epoch: 0,
    phase: 'train',
    position: 0,
    trainLossSum: 0,
    valLossSum: 0,
    best: null,
    epochsWithoutImprovement: 0,
    history: [],
    stopReason: null,
    batches: 0,
    tasks: 0,
    backends: [],
    weights: null,
  };
}

/** Training rows (samples) trained since the first epoch began, validation passes not counted. */
export function rowsTrained(state: TrainingState, trainRows: number): number {
  const inEpoch = state.phase === 'train' ? state.position : state.phase === 'validate' ? trainRows : 0;
  return state.epoch * trainRows + inEpoch;
}

export interface EpochOutcome {
  state: TrainingState;
  /** The epoch's weights are the best so far: keep a copy. */
  improved: boolean;
  /** Training is over: put the best weights back into the model. */
  stopped: boolean;
}

/**
 * Closes the epoch once its validation pass is done: records it, judges it against the best so far
 * (strictly lower validation loss wins, so ties keep the earlier, shorter-trained weights) and decides
 * whether to stop, on patience or on the epoch budget.
 */
export function closeEpoch(state: TrainingState, trainRows: number, validationRows: number): EpochOutcome {
  const valLoss = state.valLossSum / validationRows;
  const record: EpochRecord = { epoch: state.epoch, loss: state.trainLossSum / trainRows, valLoss };
  const improved = state.best === null || valLoss < state.best.valLoss;
  const best = improved ? { epoch: state.epoch, valLoss } : state.best;
  const epochsWithoutImprovement = improved ? 0 : state.epochsWithoutImprovement + 1;
  const epoch = state.epoch + 1;
  const stopReason = epochsWithoutImprovement >= state.config.patience ? 'patience' : epoch >= state.config.epochs ? 'epochs' : null;
  return {
    improved,
    stopped: stopReason !== null,
    state: {
      ...state,
      epoch,
      phase: stopReason ? 'done' : 'train',
      position: 0,
      trainLossSum: 0,
      valLossSum: 0,
      best,
      epochsWithoutImprovement,
      history: [...state.history, record],
      stopReason,
    },
  };
}
