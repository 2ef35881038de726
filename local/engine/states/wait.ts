// Wait: Seconds, Timestamp or their …Path forms, shortened by the engine's time scale.
import { StatesError } from '../errors';
import { applyInputPath, applyOutputPath } from '../io-processing';
import { readPath } from '../json-path';
import { recordedNext, type StateScope } from '../run-context';
import { scaledMs, sleep } from '../timers';
import type { WaitState } from '../types';
import type { StateResult } from './state-result';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function waitSeconds(name: string, state: WaitState, input: unknown): number {
  if (state.Seconds !== undefined) return state.Seconds;
  if (state.SecondsPath !== undefined) {
    const value = readPath(input, state.SecondsPath, 'SecondsPath');
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new StatesError('States.Runtime', `The SecondsPath parameter of state '${name}' does not reference a valid non-negative integer: ${JSON.stringify(value)}`);
    }
    return value;
  }
  const stamp = state.Timestamp ?? readPath(input, state.TimestampPath ?? '$', 'TimestampPath');
  if (typeof stamp !== 'string' || !ISO_TIMESTAMP.test(stamp) || Number.isNaN(Date.parse(stamp))) {
    throw new StatesError('States.Runtime', `The Timestamp${state.TimestampPath ? 'Path' : ''} of state '${name}' is not a valid RFC3339 timestamp: ${JSON.stringify(stamp)}`);
  }
  return Math.max(0, (Date.parse(stamp) - Date.now()) / 1000);
}

export async function runWait({ thread, name, enteredTime }: StateScope, state: WaitState, rawInput: unknown): Promise<StateResult> {
  const effective = applyInputPath(rawInput, state.InputPath);
  const ms = scaledMs(waitSeconds(name, state, effective), thread.run.services.timeScale);
  // Replayed (resumed or redriven): a wait already over is not waited again, one under way only for what is left.
  // (A Timestamp wait is measured from now already.)
  const waited = state.Timestamp !== undefined || state.TimestampPath !== undefined ? 0 : Date.now() - enteredTime;
  if (!recordedNext(thread)) await sleep(Math.max(0, ms - waited), thread.signal);
  return { output: applyOutputPath(effective, state.OutputPath), next: state.Next };
}
