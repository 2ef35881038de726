// Wait: Seconds, Timestamp or their …Path forms (JSONPath), or Seconds/Timestamp as JSONata strings; shortened by
// the engine's time scale. Assign reads the effective input (JSONPath) or `$states.input` (JSONata).
import { jsonataAssignment, jsonPathAssignment } from '../assign';
import { StatesError } from '../errors';
import { envOf, type EvalEnv } from '../eval-env';
import { applyInputPath, applyOutputPath } from '../io-processing';
import { evaluateField, evaluateTyped, jsonataScope } from '../jsonata/evaluate';
import { readPath } from '../json-path';
import { isNonNegativeInteger } from '../map-items';
import { recordedNext, type StateScope } from '../run-context';
import { scaledMs, sleep } from '../timers';
import type { WaitState } from '../types';
import type { StateResult } from './state-result';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const isTimestamp = (v: unknown): v is string => typeof v === 'string' && ISO_TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v));

function waitSeconds(name: string, state: WaitState, input: unknown, env: EvalEnv): number {
  if (state.Seconds !== undefined) return state.Seconds as number;
  if (state.SecondsPath !== undefined) {
    const value = readPath(input, state.SecondsPath, 'SecondsPath', env);
    if (!isNonNegativeInteger(value)) {
      throw new StatesError('States.Runtime', `The SecondsPath parameter of state '${name}' does not reference a valid non-negative integer: ${JSON.stringify(value)}`);
    }
    return value;
  }
  const stamp = state.Timestamp ?? readPath(input, state.TimestampPath ?? '$', 'TimestampPath', env);
  if (!isTimestamp(stamp)) {
    throw new StatesError('States.Runtime', `The Timestamp${state.TimestampPath ? 'Path' : ''} of state '${name}' is not a valid RFC3339 timestamp: ${JSON.stringify(stamp)}`);
  }
  return secondsUntil(stamp);
}

function secondsUntil(stamp: string): number {
  return Math.max(0, (Date.parse(stamp) - Date.now()) / 1000);
}

/**
 * Waits `seconds` (scaled). Replayed (resumed or redriven): a wait already over is not waited again, one under way
 * only for what is left. (A Timestamp wait is measured from now already.)
 */
async function waitFor(scope: StateScope, seconds: number, fromNow: boolean): Promise<void> {
  const { thread, enteredTime } = scope;
  const ms = scaledMs(seconds, thread.run.services.timeScale);
  const waited = fromNow ? 0 : Date.now() - enteredTime;
  if (!recordedNext(thread)) await sleep(Math.max(0, ms - waited), thread.signal);
}

export async function runWait(scope: StateScope, state: WaitState, rawInput: unknown): Promise<StateResult> {
  const env = envOf(scope.thread);
  const effective = applyInputPath(rawInput, state.InputPath, env);
  await waitFor(scope, waitSeconds(scope.name, state, effective, env), state.Timestamp !== undefined || state.TimestampPath !== undefined);
  const assign = jsonPathAssignment(scope, state.Assign, effective);
  return { output: applyOutputPath(effective, state.OutputPath, env), next: state.Next, assign };
}

export async function runJsonataWait(scope: StateScope, state: WaitState, input: unknown): Promise<StateResult> {
  const js = jsonataScope(scope, { input });
  if (state.Seconds !== undefined) {
    await waitFor(scope, (await evaluateTyped(js, state.Seconds, 'Seconds', (v) => (isNonNegativeInteger(v) ? undefined : 'a non-negative integer'))) as number, false);
  } else {
    const stamp = (await evaluateTyped(js, state.Timestamp, 'Timestamp', (v) => (isTimestamp(v) ? undefined : 'an RFC3339 timestamp string'))) as string;
    await waitFor(scope, secondsUntil(stamp), true);
  }
  const assign = await jsonataAssignment(js, state.Assign, 'Assign');
  const output = state.Output === undefined ? input : await evaluateField(js, state.Output, 'Output');
  return { output, next: state.Next, assign };
}
