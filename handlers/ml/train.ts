// Lambda: one time-boxed turn of one trial's training loop (train/train-loop.ts): resumes from the
// checkpoint the cursor names, trains batch after batch while another fits, checkpoints and returns
// { done, cursor }; the state machine calls it again with the cursor until done. Every turn adds its
// epochs and batches to the job's live figures and counts each epoch it finished as a unit; the job's
// step follows the epoch, batch and losses (training-step.ts).
import { z } from 'zod';
import { InternalError, InvalidInput } from '../lib/errors';
import { addJobFigures, recordTaskDone, setJobStep } from '../lib/progress';
import { getJson } from '../lib/s3';
import { defineTask } from '../lib/task';
import { mapTurn, type LoopTurn } from '../lib/time-boxed-loop';
import { addTurnFigures, figuresCursorSchema } from '../lib/turn-figures';
import { jobIdSchema } from '../lib/validation';
import { datasetLayoutSchema } from './dataset-layout';
import { epochTaskId, mlKeys, trialTaskId } from './keys';
import { trainingFigures } from './live-figures';
import { readPlan } from './plan';
import { readShard } from './shard-store';
import { initBackend } from './train/backend';
import { trainTimeBoxed } from './train/train-loop';
import { rowsTrained, type TrainingState } from './train/training-state';
import { liveTrainingStep, trainingStep } from './training-step';

// In Lambda's init phase (module load), not in the first task's time box: starting wasm takes a good
// part of a second, which a short box would otherwise lose to it.
await initBackend();

const eventSchema = z.object({
  jobId: jobIdSchema,
  trial: z.number().int().min(0),
  cursor: figuresCursorSchema.nullable().default(null),
});

export const handler = defineTask({
  name: 'ml-train',
  event: eventSchema,
  load: async ({ jobId }) => {
    const plan = await readPlan(jobId);
    return { plan, layout: datasetLayoutSchema.parse(await getJson(plan.dataset.layoutKey)) };
  },
  failuresAs: (event) => trialTaskId(event.trial),
  work: async ({ event, loaded: { plan, layout }, deadline, log, metrics }) => {
    const { jobId, trial } = event;
    const config = plan.trials[trial];
    if (!config) throw new InvalidInput(`Job ${jobId} has ${plan.trials.length} trial(s): there is no trial ${trial}`, { field: 'trial' });
    const taskId = trialTaskId(trial);
    const seen: { turn?: LoopTurn<TrainingState> } = {};
    const ref = { trial, trials: plan.trials.length, epochs: config.epochs };
    const live = liveTrainingStep(jobId, ref, log);
    const result = await trainTimeBoxed({
      deadline,
      checkpointKey: mlKeys.checkpoint(jobId, trial),
      cursor: event.cursor,
      config,
      layout,
      loadShard: readShard,
      onStep: (progress) => live.update(progress),
      onTurn: (turn) => (seen.turn = turn),
    });
    await live.flush();
    const turn = seen.turn;
    if (!turn) throw new InternalError(`Trial ${trial}: the training loop returned without its turn`);
    metrics.addWork('SamplesTrained', rowsTrained(turn.to.state, layout.train.rows) - rowsTrained(turn.from.state, layout.train.rows));
    // From the cursor's epochs, not the turn's: a retry resuming past a dead invocation's checkpoint
    // counts the epochs that invocation finished too. Each epoch is one unit, counted once.
    const finished: number[] = [];
    for (let epoch = event.cursor?.figures?.epochs ?? 0; epoch < turn.to.state.epoch; epoch++) finished.push(epoch);
    // Independent writes, at once: they all happen after the loop's deadline, inside the safety margin.
    const [cursor] = await Promise.all([
      addTurnFigures(jobId, taskId, event.cursor, mapTurn(turn, trainingFigures)),
      // Named by the checkpoint the turn resumed from, so a retried turn counts once.
      addJobFigures(jobId, `${taskId}@task-${turn.from.seq}`, { trainTasks: 1 }),
      ...finished.map((epoch) => recordTaskDone(jobId, epochTaskId(trial, epoch), { durationMs: 0, units: 1 })),
      setJobStep(jobId, trainingStep(result, ref)),
    ]);
    return { result, cursor };
  },
  respond: ({ result, cursor }) => ({
    done: result.done,
    cursor,
    epoch: result.epoch,
    phase: result.phase,
    batch: result.batch,
    bestEpoch: result.bestEpoch,
    bestValLoss: result.bestValLoss,
  }),
});
