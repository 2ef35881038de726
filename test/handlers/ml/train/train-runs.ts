// Drives trainTimeBoxed the way the state machine does: call, pass the cursor back, call again until
// done. Each call builds its own model from the checkpoint, as a fresh Lambda invocation would.
import type { Cursor } from '../../../../handlers/lib/checkpoint';
import { readCheckpoint } from '../../../../handlers/lib/checkpoint';
import { deadlineOf } from '../../../../handlers/lib/deadline';
import { trainTimeBoxed, type TrainResult } from '../../../../handlers/ml/train/train-loop';
import type { TrainConfig } from '../../../../handlers/ml/train/train-config';
import { trainingStateSchema, type TrainingState } from '../../../../handlers/ml/train/training-state';
import { readWeightsObject, type NamedArray } from '../../../../handlers/ml/train/weights-object';
import type { ShardedDataset } from './synthetic';
import { WORKER_DIED, memoryLoader } from './synthetic';

/** A Lambda context whose clock only moves when a step is taken: `stepMs` per step. */
export function stepClock(timeoutMs: number, stepMs: number) {
  let elapsed = 0;
  return {
    deadline: deadlineOf({ getRemainingTimeInMillis: () => Math.max(0, timeoutMs - elapsed) }),
    tick: () => {
      elapsed += stepMs;
    },
  };
}

export interface Run {
  results: TrainResult[];
  final: TrainResult;
  loads: string[];
  /** Calls that died (a simulated crash) and were retried with the same cursor. */
  crashes: number;
  /** Of those, the ones that died after saving a checkpoint newer than their cursor. */
  crashesAfterSaving: number;
}

export interface RunOptions {
  /** Each call's time box fits about this many steps (batches or validation chunks); unset: one call does everything. */
  stepsPerCall?: number;
  /** Passed to the loop: 0 checkpoints after every step. */
  checkpointEveryMs?: number;
  /** Shard loads (0-based, counting every attempt) that throw, killing the call mid-turn. */
  crashAtLoads?: number[];
}

/**
 * Trains to the end the way the state machine drives a task: call, pass the cursor back, call again
 * until done; a call that dies is retried with the cursor it was given (Retry on the Task state).
 */
export async function trainToEnd(checkpointKey: string, config: TrainConfig, dataset: ShardedDataset, opts: RunOptions = {}): Promise<Run> {
  const loader = memoryLoader(dataset, opts.crashAtLoads);
  const results: TrainResult[] = [];
  let crashes = 0;
  let crashesAfterSaving = 0;
  let cursor: Cursor | null = null;
  for (let call = 0; call < 1000; call++) {
    // 20% margin: a 1000 ms timeout leaves 800 ms, and the loop stops once one more 100 ms step and the
    // save after it would not fit (the fake clock does not move while saving), so 7 steps.
    const clock = opts.stepsPerCall ? stepClock(((opts.stepsPerCall + 1) * 100) / 0.8, 100) : stepClock(3_600_000, 0);
    let result: TrainResult;
    try {
      result = await trainTimeBoxed({
        deadline: clock.deadline,
        checkpointKey,
        cursor,
        config,
        layout: dataset.layout,
        loadShard: loader.load,
        onStep: clock.tick,
        checkpointEveryMs: opts.checkpointEveryMs,
      });
    } catch (err) {
      if ((err as Error).message !== WORKER_DIED) throw err;
      crashes += 1;
      const saved = await readCheckpoint(checkpointKey, (raw) => raw);
      if ((saved?.seq ?? 0) > (cursor?.seq ?? 0)) crashesAfterSaving += 1;
      continue;
    }
    results.push(result);
    cursor = result.cursor;
    if (result.done) return { results, final: result, loads: loader.loads, crashes, crashesAfterSaving };
  }
  throw new Error('training did not finish in 1000 calls');
}

export async function checkpointState(checkpointKey: string): Promise<TrainingState> {
  const checkpoint = await readCheckpoint(checkpointKey, (raw) => trainingStateSchema.parse(raw));
  if (!checkpoint) throw new Error(`no checkpoint at ${checkpointKey}`);
  return checkpoint.state;
}

export async function checkpointTensors(checkpointKey: string): Promise<NamedArray[]> {
  const state = await checkpointState(checkpointKey);
  if (!state.weights) throw new Error('checkpoint has no weights');
  return readWeightsObject(state.weights, checkpointKey);
}

/** The largest absolute difference between two checkpoints' tensors of `group` (shapes must match). */
export function maxDifference(a: NamedArray[], b: NamedArray[], group: NamedArray['spec']['group']): number {
  const left = a.filter((t) => t.spec.group === group);
  const right = b.filter((t) => t.spec.group === group);
  if (left.length !== right.length || left.length === 0) throw new Error(`${group}: ${left.length} tensors against ${right.length}`);
  let max = 0;
  left.forEach((t, i) => {
    const other = right[i]!;
    if (t.values.length !== other.values.length) throw new Error(`${group} tensor ${i}: ${t.values.length} values against ${other.values.length}`);
    for (let j = 0; j < t.values.length; j++) max = Math.max(max, Math.abs(t.values[j]! - other.values[j]!));
  });
  return max;
}
