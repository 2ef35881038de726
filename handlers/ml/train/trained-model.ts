// The model a finished training loop leaves, for Evaluate and export: rebuilt from the checkpoint's
// config and loaded with its final weights, which are the best epoch's (training puts them back when
// it stops, on patience or on the epoch budget).
import type * as tf from '@tensorflow/tfjs';
import { readCheckpoint } from '../../lib/checkpoint';
import { InputNotFound, InternalError } from '../../lib/errors';
import { initBackend } from './backend';
import { TrainingSession } from './training-session';
import { trainingStateSchema, type TrainingState } from './training-state';
import { readWeightsObject } from './weights-object';

export interface TrainedModel {
  /** Caller disposes it. */
  model: tf.Sequential;
  state: TrainingState;
}

export async function loadTrainedModel(checkpointKey: string): Promise<TrainedModel> {
  await initBackend();
  const checkpoint = await readCheckpoint(checkpointKey, (raw) => trainingStateSchema.parse(raw));
  if (!checkpoint) throw new InputNotFound(`No training checkpoint at ${checkpointKey}`, { key: checkpointKey });
  const { state } = checkpoint;
  // Mid-training the model holds the last batch's weights, not the best: never export those by mistake.
  if (state.phase !== 'done' || !state.weights) {
    throw new InternalError(`Training checkpoint ${checkpointKey} is not finished (epoch ${state.epoch}, ${state.phase}): there is no trained model yet`, {
      key: checkpointKey,
    });
  }
  const session = await TrainingSession.start(state.config, await readWeightsObject(state.weights, checkpointKey));
  return { model: session.detachModel(), state };
}
