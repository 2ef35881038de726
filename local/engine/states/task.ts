// Task: InputPath → Parameters → the resource (with TimeoutSeconds) → ResultSelector → ResultPath → OutputPath,
// recording AWS's Task*/LambdaFunction* events. Retry and Catch wrap this in run-state.ts.
import { jsonataAssignment, jsonPathAssignment } from '../assign';
import { abortError, StatesError, toStatesError } from '../errors';
import { envOf, type EvalEnv } from '../eval-env';
import { applyInputPath, applyParameters, noteStage, processResult } from '../io-processing';
import { evaluateField, evaluateTyped, failEvaluation, jsonataScope, withStates } from '../jsonata/evaluate';
import { toJson } from '../json-text';
import { readPath } from '../json-path';
import { isPositiveInteger } from '../map-items';
import { checkPayloadSize } from '../quotas';
import { callAndWait, heartbeatOf, heartbeatProblem, nextTaskToken } from '../callback-task';
import { mockedCall } from '../mocked-task';
import { classifyResource, isCallbackResource, resourceLabel, type ResourceKind } from '../resources/classify';
import { dynamoDbTask } from '../resources/dynamodb';
import { invokeFunction, lambdaInvokeTask } from '../resources/lambda';
import { startExecutionTask } from '../resources/start-execution';
import { record, recordedNext, recordedOutcome, type StateScope, type Thread } from '../run-context';
import { detailsKey } from '../history';
import { childController, scaledMs, setLongTimeout } from '../timers';
import type { HistoryEvent, TaskState } from '../types';
import type { Outcome } from './state-result';

const kinds = new WeakMap<TaskState, ResourceKind>();
function kindOf(state: TaskState): ResourceKind {
  let kind = kinds.get(state);
  if (!kind) kinds.set(state, (kind = classifyResource(state.Resource)));
  return kind;
}

function timeoutOf(name: string, state: TaskState, input: unknown, env: EvalEnv): number | undefined {
  if (state.TimeoutSecondsPath === undefined) return state.TimeoutSeconds as number | undefined;
  const value = readPath(input, state.TimeoutSecondsPath, 'TimeoutSecondsPath', env);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new StatesError('States.Runtime', `The TimeoutSecondsPath of state '${name}' does not reference a positive integer: ${JSON.stringify(value)}`);
  }
  return value;
}

// One rejection promise per signal, shared by every task on that thread: adding and removing an AbortSignal
// listener per task costs more than the rest of an in-process task.
const abortPromises = new WeakMap<AbortSignal, Promise<never>>();
function abortedPromise(signal: AbortSignal): Promise<never> {
  let promise = abortPromises.get(signal);
  if (!promise) {
    promise = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(abortError(signal)), { once: true }));
    promise.catch(() => {}); // Settled only by an abort, which callers observe through their own race.
    abortPromises.set(signal, promise);
  }
  return promise;
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts (a worker may take a moment to die). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return Promise.race([promise, abortedPromise(signal)]);
}

function callResource(thread: Thread, kind: ResourceKind, state: TaskState, parameters: unknown, signal: AbortSignal): Promise<unknown> {
  const services = thread.run.services;
  switch (kind.kind) {
    case 'lambda-invoke':
      return lambdaInvokeTask(services, parameters, signal);
    case 'lambda-function':
      return invokeFunction(services, state.Resource, parameters, signal).then((r) => r.payload);
    case 'dynamodb':
      return dynamoDbTask(services.aws.dynamodb(), kind.action, parameters);
    case 'start-execution': {
      // A `.sync` task records the child it started (TaskSubmitted), so that a replay waits for that child again.
      const submitted = recordedNext(thread);
      const attachTo = submitted?.type === 'TaskSubmitted' ? submittedExecutionArn(submitted) : undefined;
      const label = resourceLabel(state.Resource);
      return startExecutionTask(services, kind.mode, parameters, thread.run.info.executionArn, signal, {
        attachTo,
        onStarted: (output) => {
          if (kind.mode !== 'async') record(thread, 'TaskSubmitted', { ...label, output: toJson(output), outputDetails: { truncated: false } });
        },
      });
    }
    case 'unsupported':
      return Promise.reject(new StatesError('States.Runtime', `${state.Resource}: ${kind.reason}`));
  }
}

const noop = () => {};

/** Runs the resource with its events; throws the StatesError that Retry/Catch see. */
async function runResource(
  scope: StateScope,
  state: TaskState,
  parameters: unknown,
  timeoutSeconds: number | undefined,
  heartbeatSeconds: number | undefined,
): Promise<unknown> {
  const { thread, name } = scope;
  const kind = kindOf(state);
  const plainLambda = kind.kind === 'lambda-function';
  const label = resourceLabel(state.Resource);
  // A state the execution's mock test case names answers from the mock config instead of its resource.
  const mock = mockedCall(scope);
  const callback = scope.taskToken !== undefined && !mock;
  const parametersJson = toJson(parameters);
  checkPayloadSize(parametersJson, 'input (after Parameters)', name);
  if (plainLambda) {
    record(thread, 'LambdaFunctionScheduled', { resource: state.Resource, input: parametersJson, inputDetails: { truncated: false }, ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}) });
    record(thread, 'LambdaFunctionStarted');
  } else {
    record(thread, 'TaskScheduled', {
      ...label,
      region: thread.run.services.region,
      parameters: parametersJson,
      ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}),
      ...(heartbeatSeconds ? { heartbeatInSeconds: heartbeatSeconds } : {}),
    });
    record(thread, 'TaskStarted', label);
  }
  // Replayed after a crash or on redrive: a task whose outcome is recorded is not run again.
  const recorded = recordedOutcome(thread);
  if (recorded) return replayOutcome(thread, recorded);
  // A task without TimeoutSeconds shares its thread's signal: one AbortController fewer per task. A callback
  // task needs its own, which a missed heartbeat aborts.
  const { controller, detach } = timeoutSeconds || callback ? childController(thread.signal) : { controller: undefined, detach: noop };
  const signal = controller?.signal ?? thread.signal;
  const cancelTimer = controller && timeoutSeconds
    ? setLongTimeout(
        () => controller.abort(new StatesError('States.Timeout', `Task '${name}' did not finish within ${timeoutSeconds} seconds (TimeoutSeconds).`)),
        scaledMs(timeoutSeconds, thread.run.services.timeScale),
      )
    : undefined;
  try {
    const call = () => (mock ? mock.invoke() : callResource(thread, kind, state, parameters, signal));
    const result = await untilAborted(
      callback && controller ? callAndWait({ thread, label, token: scope.taskToken!, heartbeatSeconds, controller }, call) : call(),
      signal,
    );
    const resultJson = toJson(result);
    checkPayloadSize(resultJson, 'task result', name);
    if (plainLambda) record(thread, 'LambdaFunctionSucceeded', { output: resultJson, outputDetails: { truncated: false } });
    else record(thread, 'TaskSucceeded', { ...label, output: resultJson, outputDetails: { truncated: false } });
    return result;
  } catch (caught) {
    if (thread.signal.aborted) throw abortError(thread.signal);
    const timedOut = controller?.signal.aborted === true;
    const err = timedOut ? abortError(signal) : toStatesError(caught);
    const details = { error: err.error, cause: err.cause };
    if (plainLambda) record(thread, timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', details);
    else record(thread, timedOut ? 'TaskTimedOut' : 'TaskFailed', { ...label, ...details });
    throw err;
  } finally {
    cancelTimer?.();
    detach();
  }
}

function submittedExecutionArn(event: HistoryEvent): string | undefined {
  const output = (event[detailsKey(event.type)] as { output?: string } | undefined)?.output;
  const arn = output === undefined ? undefined : (JSON.parse(output) as { ExecutionArn?: unknown }).ExecutionArn;
  return typeof arn === 'string' ? arn : undefined;
}

/** Takes a recorded task outcome as this attempt's: its result, or its error for Retry and Catch. */
function replayOutcome(thread: Thread, event: HistoryEvent): unknown {
  const details = (event[detailsKey(event.type)] ?? {}) as { output?: string; error?: string; cause?: string };
  record(thread, event.type, details);
  if (event.type.endsWith('Succeeded')) return details.output === undefined ? null : JSON.parse(details.output);
  throw new StatesError(details.error ?? '', details.cause ?? '');
}

/** A callback task's token is known before its TaskScheduled event is recorded: Parameters or Arguments pass it on. */
function attemptOf(scope: StateScope, state: TaskState): StateScope {
  return isCallbackResource(state.Resource) ? { ...scope, taskToken: nextTaskToken(scope.thread) } : scope;
}

export async function runTask(scope: StateScope, state: TaskState, rawInput: unknown): Promise<Outcome> {
  const env = envOf(scope.thread);
  const effective = applyInputPath(rawInput, state.InputPath, env);
  const attempt = attemptOf(scope, state);
  const parameters = applyParameters(attempt, state, effective);
  const timeoutSeconds = timeoutOf(scope.name, state, effective, env);
  const heartbeatSeconds = heartbeatOf(scope.name, state, effective, timeoutSeconds, env);
  const result = await runResource(attempt, state, parameters, timeoutSeconds, heartbeatSeconds);
  const assign = jsonPathAssignment(scope, state.Assign, result);
  return { output: processResult(scope, state, rawInput, result), assign };
}

const positiveInteger = (v: unknown) => (isPositiveInteger(v) ? undefined : 'a positive integer');

/** JSONata: Arguments (default: the input) → the resource → Assign and Output over `$states.result`. */
export async function runJsonataTask(scope: StateScope, state: TaskState, input: unknown): Promise<Outcome> {
  const attempt = attemptOf(scope, state);
  const js = jsonataScope(attempt, { input });
  const args = state.Arguments === undefined ? input : await evaluateField(js, state.Arguments, 'Arguments');
  noteStage(scope, 'afterArguments', args);
  const timeoutSeconds = state.TimeoutSeconds === undefined ? undefined : ((await evaluateTyped(js, state.TimeoutSeconds, 'TimeoutSeconds', positiveInteger)) as number);
  const heartbeat = state.HeartbeatSeconds === undefined ? undefined : ((await evaluateTyped(js, state.HeartbeatSeconds, 'HeartbeatSeconds', positiveInteger)) as number);
  // Like any other field a JSONata state gets wrong: an EvaluationFailed event, then the error.
  const problem = heartbeatProblem(heartbeat, timeoutSeconds);
  if (problem) throw failEvaluation(js, 'HeartbeatSeconds', problem);
  const result = await runResource(attempt, state, args, timeoutSeconds, heartbeat);
  noteStage(scope, 'result', result);
  const after = withStates(js, { input, result });
  const assign = await jsonataAssignment(after, state.Assign, 'Assign');
  const output = state.Output === undefined ? result : await evaluateField(after, state.Output, 'Output');
  return { output, assign };
}
