// Evaluate's work, free of Lambda plumbing: rank the trials by validation loss (from their checkpoints,
// not from the state payload), load the best one's trained model, score the test split, and publish the
// model, preprocessing.json, curves.svg, trials.json (with trials) and metrics.json, written last.
import { readCheckpoint } from '../lib/checkpoint';
import { InternalError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { getJob } from '../lib/progress';
import { getText, putBuffer, putJson } from '../lib/s3';
import type { DatasetLayout, MlTask } from './dataset-layout';
import { curvesSvg } from './evaluate/curves-svg';
import { evaluateModel, type ModelEvaluation } from './evaluate/evaluate-model';
import type { ClassificationMetrics, RegressionMetrics } from './evaluate/metrics';
import { exportModel } from './evaluate/model-export';
import { leaderboard, type LeaderboardRow } from './evaluate/trials';
import { mlKeys } from './keys';
import type { MlPlan } from './plan';
import { readShard } from './shard-store';
import { loadTrainedModel } from './train/trained-model';
import type { TrainConfig } from './train/train-config';
import { trainingStateSchema, type TrainingState } from './train/training-state';

/** metrics.json. Epochs are counted from 1 here and in curves.svg (the checkpoint's history counts from 0). */
export interface MetricsFile {
  task: MlTask;
  test: Pick<ClassificationMetrics, 'accuracy' | 'logLoss' | 'confusion' | 'classes' | 'perClass'> | RegressionMetrics;
  rows: MlPlan['dataset']['splits'];
  /** Epochs the evaluated model's loop trained, and the one whose weights it kept. */
  epochs: number;
  bestEpoch: number;
  bestValLoss: number;
  stopReason: TrainingState['stopReason'];
  /** Train turns (invocations that returned) over all trials. */
  trainTasks: number;
  /** The TensorFlow.js backend that trained it (two, joined by "+", if a task ever fell back). */
  backend: string;
  trial: number;
  trials: number;
  config: TrainConfig;
}

export interface EvaluateResult {
  jobId: string;
  task: MlTask;
  /** accuracy (classification) or r2 (regression) on the test split. */
  headline: { name: 'accuracy' | 'r2'; value: number };
  /** Epochs trained over all trials: the job's units once done. */
  epochsTrained: number;
  outputs: string[];
}

async function trialState(jobId: string, trial: number): Promise<TrainingState> {
  const key = mlKeys.checkpoint(jobId, trial);
  const state = (await readCheckpoint(key, (raw) => trainingStateSchema.parse(raw)))?.state;
  if (!state || state.phase !== 'done' || !state.best) throw new InternalError(`Trial ${trial} of job ${jobId} has not finished training (${key})`, { key });
  return state;
}

function testMetrics(metrics: ClassificationMetrics | RegressionMetrics): MetricsFile['test'] {
  if (!('accuracy' in metrics)) return { rmse: metrics.rmse, mae: metrics.mae, r2: metrics.r2 };
  const { accuracy, logLoss, confusion, classes, perClass } = metrics;
  return { accuracy, logLoss, confusion, classes, perClass };
}

export async function evaluateJob(plan: MlPlan, layout: DatasetLayout, log: Logger): Promise<EvaluateResult> {
  const { jobId } = plan;
  const states = await Promise.all(plan.trials.map((_, trial) => trialState(jobId, trial)));
  const board: LeaderboardRow<TrainConfig>[] = leaderboard(
    states.map((s, trial) => ({ trial, config: plan.trials[trial]!, bestValLoss: s.best!.valLoss, bestEpoch: s.best!.epoch + 1 })),
  );
  const best = board[0]!;
  const state = states[best.trial]!;
  const { model } = await loadTrainedModel(mlKeys.checkpoint(jobId, best.trial));
  let evaluation: ModelEvaluation;
  try {
    const classes = plan.dataset.task === 'classification' ? plan.dataset.classes : undefined;
    evaluation = await evaluateModel(model, layout, readShard, 'test', classes);
    await exportModel(model, { modelJsonKey: mlKeys.modelJson(jobId), weightsKey: mlKeys.weights(jobId) });
  } finally {
    model.dispose();
  }
  await putBuffer(mlKeys.preprocessing(jobId), await getText(plan.dataset.preprocessingKey), { contentType: 'application/json' });
  const history = state.history.map((h) => ({ epoch: h.epoch + 1, loss: h.loss, valLoss: h.valLoss }));
  const bestEpoch = state.best!.epoch + 1;
  await putBuffer(mlKeys.curves(jobId), curvesSvg(history, { bestEpoch, title: `${jobId}: loss per epoch` }), { contentType: 'image/svg+xml' });
  const outputs = [mlKeys.modelJson(jobId), mlKeys.weights(jobId), mlKeys.preprocessing(jobId), mlKeys.curves(jobId)];
  if (plan.trials.length > 1) {
    await putJson(mlKeys.trials(jobId), board);
    outputs.push(mlKeys.trials(jobId));
  }
  const metrics: MetricsFile = {
    task: plan.dataset.task,
    test: testMetrics(evaluation.metrics),
    rows: plan.dataset.splits,
    epochs: state.epoch,
    bestEpoch,
    bestValLoss: state.best!.valLoss,
    stopReason: state.stopReason,
    trainTasks: (await getJob(jobId))?.figures.trainTasks ?? 0,
    backend: state.backends.join('+'),
    trial: best.trial,
    trials: plan.trials.length,
    config: best.config,
  };
  log.info('evaluated', { trial: best.trial, test: metrics.test, epochs: metrics.epochs, bestEpoch });
  // Written last: with it, every other output of the job is complete.
  await putJson(mlKeys.metrics(jobId), metrics);
  outputs.push(mlKeys.metrics(jobId));
  const headline = 'accuracy' in metrics.test ? { name: 'accuracy' as const, value: metrics.test.accuracy } : { name: 'r2' as const, value: metrics.test.r2 };
  return { jobId, task: metrics.task, headline, epochsTrained: states.reduce((n, s) => n + s.epoch, 0), outputs };
}
