// Training as a time-boxed loop (handlers/lib/time-boxed-loop.ts): one step trains one batch (or
// evaluates one validation chunk), so a task trains batch after batch while another one fits with
// margin, then writes the weights object and the JSON checkpoint naming it, and returns. An epoch can
// span any number of tasks, and a resumed run ends with the same weights as an uninterrupted one.
//
// In memory at once: the model, its optimizer state and the best weights (about 4× the parameters with
// Adam), at most 2 × shuffleWindowShards train shards (a batch straddling two shuffle windows) during
// the train phase, and one validation shard during the validation pass.
import { runTimeBoxedLoop, type LoopTurn } from '../../lib/time-boxed-loop';
import type { Cursor } from '../../lib/checkpoint';
import type { Deadline } from '../../lib/deadline';
import { InternalError, JobMismatch } from '../../lib/errors';
import { fieldProblems } from '../../lib/validation';
import type { DatasetLayout } from '../dataset-layout';
import { initBackend, type BackendName } from './backend';
import { EpochOrder, shardRowCount } from './epoch-order';
import { ShardCache, gatherBatch, splitShape, type ShardLoader } from './shard-cache';
import { checkConfigAgainstLayout, parseTrainConfig, type TrainConfig, type TrainConfigInput } from './train-config';
import { TrainingSession } from './training-session';
import { closeEpoch, initialTrainingState, trainingStateSchema, type TrainingState } from './training-state';
import { readWeightsObject, weightsKeyFor, writeWeightsObject } from './weights-object';

/** Validation rows per step (never across a shard): enough to amortize a step, small enough to stay short. */
export const VALIDATION_CHUNK_ROWS = 4096;

export interface TrainTask {
  deadline: Deadline;
  /** Deterministic per job (and trial): the JSON checkpoint; the weights objects sit next to it. */
  checkpointKey: string;
  /** From the event: null on the first task. */
  cursor: Cursor | null | undefined;
  config: TrainConfigInput;
  layout: DatasetLayout;
  loadShard: ShardLoader;
  /** Checkpoint at least this often even with time left (default: time-boxed-loop's 60 s). */
  checkpointEveryMs?: number;
  /** Told after every step (live progress: epoch, batch, losses). */
  onStep?(progress: TrainProgress): void;
  /** Told the turn's span once its last checkpoint is saved (turn-figures.ts). */
  onTurn?(turn: LoopTurn<TrainingState>): void;
}

export interface TrainProgress {
  epoch: number;
  phase: TrainingState['phase'];
  /** Batches trained in the epoch in progress (all of them during its validation pass; 0 once done). */
  batch: number;
  batchesPerEpoch: number;
  /** The last completed epoch's figures. */
  loss: number | null;
  valLoss: number | null;
  bestValLoss: number | null;
}

export interface TrainResult extends TrainProgress {
  done: boolean;
  /** Invocations that have trained this model, this one included. */
  tasks: number;
  /** For the state machine to pass back: which checkpoint the next task resumes from. */
  cursor: Cursor;
  bestEpoch: number | null;
  stopReason: TrainingState['stopReason'];
  backend: BackendName;
}

export function progressOf(state: TrainingState, trainRows: number): TrainProgress {
  const last = state.history.at(-1);
  const batchSize = state.config.batchSize;
  const batchesPerEpoch = Math.ceil(trainRows / batchSize);
  return {
    epoch: state.epoch,
    phase: state.phase,
    batch: state.phase === 'train' ? Math.ceil(state.position / batchSize) : state.phase === 'validate' ? batchesPerEpoch : 0,
    batchesPerEpoch,
    loss: last?.loss ?? null,
    valLoss: last?.valLoss ?? null,
    bestValLoss: state.best?.valLoss ?? null,
  };
}

function parseCheckpointState(raw: unknown, config: TrainConfig, checkpointKey: string): TrainingState {
  const parsed = trainingStateSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error).map((p) => `${p.field}: ${p.message}`);
    throw new InternalError(`Checkpoint ${checkpointKey} is not a training checkpoint this code can resume (${problems.slice(0, 3).join('; ')})`, { key: checkpointKey });
  }
  const state = parsed.data;
  // A checkpoint is only resumable by the job that wrote it: its tensors fit that config and no other.
  // Both sides went through the schema, so key order and defaults cannot make equal configs differ.
  if (JSON.stringify(state.config) !== JSON.stringify(config)) {
    throw new JobMismatch(`Checkpoint ${checkpointKey} was written for another training config (${JSON.stringify(state.config)}); start a new jobId`, {
      key: checkpointKey,
    });
  }
  return state;
}

export async function trainTimeBoxed(task: TrainTask): Promise<TrainResult> {
  const { layout, checkpointKey } = task;
  const config = parseTrainConfig(task.config);
  checkConfigAgainstLayout(config, layout);
  const backend = await initBackend();
  const train = splitShape(layout, 'train');
  const validation = splitShape(layout, 'validation');
  const trainShards = new ShardCache(layout, 'train', task.loadShard);
  const validationShards = new ShardCache(layout, 'validation', task.loadShard);
  let session: TrainingSession | undefined;
  let order: EpochOrder | undefined;
  let last: TrainingState | undefined;
  let stepped = false;

  // Built on the first step, not before the loop: the loop reads the checkpoint, and the session must
  // come from the same one.
  const sessionFor = async (state: TrainingState): Promise<TrainingSession> => {
    session ??= await TrainingSession.start(config, state.weights ? await readWeightsObject(state.weights, checkpointKey) : undefined);
    return session;
  };
  const orderFor = (epoch: number): EpochOrder => {
    if (order?.epoch !== epoch) order = new EpochOrder(train, config.seed, epoch, config.shuffleWindowShards);
    return order;
  };

  const trainStep = async (s: TrainingSession, state: TrainingState): Promise<TrainingState> => {
    const epochOrder = orderFor(state.epoch);
    const to = Math.min(state.position + config.batchSize, train.rows);
    await trainShards.holdOnly(epochOrder.shardsFor(state.position, to));
    const batch = gatherBatch(trainShards, epochOrder.rowsAt(state.position, to), config.width);
    const loss = s.trainBatch(batch);
    const next = { ...state, position: to, trainLossSum: state.trainLossSum + loss * batch.rows, batches: state.batches + 1 };
    if (to < train.rows) return next;
    // The next epoch shuffles other shards together: nothing held is sure to be needed.
    trainShards.clear();
    return { ...next, phase: 'validate', position: 0 };
  };

  const validateStep = async (s: TrainingSession, state: TrainingState): Promise<TrainingState> => {
    const shard = Math.floor(state.position / layout.shardRows);
    const start = state.position - shard * layout.shardRows;
    const end = Math.min(start + VALIDATION_CHUNK_ROWS, shardRowCount(validation, shard));
    await validationShards.holdOnly([shard]);
    const source = validationShards.get(shard);
    const rows = end - start;
    const sum = s.lossSum({
      rows,
      features: source.features.subarray(start * config.width, end * config.width),
      labels: source.labels.subarray(start, end),
    });
    const next = { ...state, position: state.position + rows, valLossSum: state.valLossSum + sum };
    if (next.position < validation.rows) return next;
    validationShards.clear();
    const outcome = closeEpoch(next, train.rows, validation.rows);
    if (outcome.improved) s.keepBest();
    if (outcome.stopped) s.restoreBest();
    return outcome.state;
  };

  try {
    const result = await runTimeBoxedLoop<TrainingState, TrainingState>({
      deadline: task.deadline,
      checkpointKey,
      cursor: task.cursor,
      checkpointEveryMs: task.checkpointEveryMs,
      parseState: (raw) => parseCheckpointState(raw, config, checkpointKey),
      initial: () => initialTrainingState(config),
      step: async (state) => {
        const s = await sessionFor(state);
        const after = state.phase === 'train' ? await trainStep(s, state) : await validateStep(s, state);
        const next = {
          ...after,
          tasks: stepped ? after.tasks : after.tasks + 1,
          backends: after.backends.includes(backend.name) ? after.backends : [...after.backends, backend.name],
        };
        stepped = true;
        task.onStep?.(progressOf(next, train.rows));
        return next;
      },
      finished: (state) => state.phase === 'done',
      persist: async (state, seq) => {
        const s = await sessionFor(state);
        const weights = await writeWeightsObject(weightsKeyFor(checkpointKey, seq), await s.arrays());
        return { ...state, weights };
      },
      onTurn: (turn) => {
        last = turn.to.state;
        task.onTurn?.(turn);
      },
      finish: (state) => state,
    });
    const state = result.done ? result.result : last;
    if (!state) throw new Error('time-boxed loop ended without telling its turn');
    return {
      ...progressOf(state, train.rows),
      done: result.done,
      tasks: state.tasks,
      cursor: result.cursor,
      bestEpoch: state.best?.epoch ?? null,
      stopReason: state.stopReason,
      backend: backend.name,
    };
  } finally {
    session?.dispose();
  }
}
