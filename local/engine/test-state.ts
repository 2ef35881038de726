// TestState: one state run once on an input, as AWS's API runs it for unit-testing a state. The state runs through
// the engine's own code (Task through the Lambda runner or in-process handlers, on a thread of its own), in its
// query language, with the variables the request gives; a Wait does not wait; Map and Parallel run only mocked,
// their input and output processing for real. Retry and Catch are not carried out but reported: RETRIABLE with the
// retrier and its back-off, CAUGHT_ERROR with the catcher's output and next state, FAILED otherwise. DEBUG and
// TRACE add the data after each step (inspectionData), and the variables as the state leaves them.
import { jsonataAssignment, jsonPathAssignment } from './assign';
import { catcherOutcome, findCatcherIndex } from './catch';
import { StatesError, toStatesError } from './errors';
import { envOf } from './eval-env';
import { createHistory } from './history';
import { applyInputPath, applyParameters, applyResultPath, noteStage, processResult, watchStages, type DataStages } from './io-processing';
import { evaluateField, jsonataScope, withStates } from './jsonata/evaluate';
import { toJson } from './json-text';
import { readPath } from './json-path';
import { checkedItems } from './map-items';
import { jsonataMapPlan, jsonPathMapPlan } from './map-plan';
import { languageOf } from './query-language';
import { checkPayloadSize } from './quotas';
import { isCallbackResource } from './resources/classify';
import { findRetrier, retryDelaySeconds } from './retry';
import type { EngineServices, StateScope, Thread } from './run-context';
import { runChoice, runJsonataChoice } from './states/choice-state';
import { failError, jsonataFailError } from './states/fail';
import { runJsonataPass, runPass } from './states/pass';
import type { Outcome, StateResult } from './states/state-result';
import { runJsonataSucceed, runSucceed } from './states/succeed';
import { runJsonataTask, runTask } from './states/task';
import { runJsonataWait, runWait } from './states/wait';
import { taskToken } from './task-tokens';
import { testContext, type TestContext } from './test-state-context';
import { runMapInput, type MapInspection } from './test-state-map';
import { readTestCase, TestStateRequestError, type TestCase, type TestMock } from './test-state-request';
import type { InspectionData, InspectionErrorDetails, TestExecutionStatus, TestStateRequest, TestStateResponse } from './test-state-types';
import { newController, scaledMs, setLongTimeout } from './timers';
import type { MapState, ParallelState, PassState, RetryableState, StateDefinition, TaskState } from './types';
import { commitAssignment, rootScope, visibleVariables } from './variables';

/** AWS stops a test after five minutes (scaled by the engine's time scale, like every timeout here). */
const TEST_TIMEOUT_SECONDS = 300;

type Stages = DataStages & MapInspection;

type Attempt =
  | { ok: true; output: unknown; next: string | undefined }
  /** `final`: the test itself ran out of time, which no Retry or Catch handles. */
  | { ok: false; error: StatesError; final: boolean };

interface TestOutcome {
  status: TestExecutionStatus;
  output?: unknown;
  next?: string;
  error?: StatesError;
  errorDetails?: InspectionErrorDetails;
}

export async function testState(services: EngineServices, request: TestStateRequest): Promise<TestStateResponse> {
  const test = readTestCase(request);
  const context = testContext(test.context, {
    region: services.region,
    roleArn: test.roleArn,
    input: test.input,
    stateName: test.name,
    insideMap: test.insideMap,
    retryCount: test.retrierRetryCount ?? 0,
  });
  const stages: Stages = {};
  const controller = newController();
  const scope = testScope(services, test, context, controller.signal);
  const attempt = await attemptState(scope, test, stages, controller);
  const outcome = await outcomeOf(scope, test, attempt, test.retrierRetryCount ?? context.retryCount);
  return respond(test, outcome, stages, scope.thread);
}

/** The tested state's scope, on a thread of its own holding the request's variables. */
function testScope(services: EngineServices, test: TestCase, context: TestContext, signal: AbortSignal): StateScope {
  const thread: Thread = {
    run: {
      // A Wait is tested for its output and next state; its time passes at once.
      services: test.state.Type === 'Wait' ? { ...services, timeScale: 0 } : services,
      history: createHistory(services.maxHistoryEvents),
      info: context.info,
      keyed: false,
      queryLanguage: test.queryLanguage ?? 'JSONPath',
    },
    signal,
    lastEventId: 0,
    mapItem: context.mapItem,
    key: '',
    seq: 0,
    vars: rootScope(test.variables),
    env: undefined,
  };
  const scope: StateScope = { thread, name: context.stateName, enteredTime: context.enteredTime, retryCount: context.retryCount };
  // A (mocked) callback task hands out a token, as the real one does.
  if (test.state.Type === 'Task' && isCallbackResource(test.state.Resource)) scope.taskToken = context.taskToken ?? taskToken(context.info.executionArn, 1);
  return scope;
}

async function attemptState(scope: StateScope, test: TestCase, stages: Stages, controller: AbortController): Promise<Attempt> {
  const { thread } = scope;
  const services = thread.run.services;
  const timeout = new StatesError('States.Timeout', `The test did not finish within ${TEST_TIMEOUT_SECONDS} seconds.`);
  const cancelTimer = setLongTimeout(() => controller.abort(timeout), scaledMs(TEST_TIMEOUT_SECONDS, services.timeScale));
  const stopWatching = watchStages(thread, stages);
  try {
    const { output, next, assign } = await runOnce(scope, test, stages);
    checkPayloadSize(toJson(output), 'output', scope.name);
    if (assign) commitAssignment(thread.vars, assign);
    return { ok: true, output, next };
  } catch (err) {
    if (err instanceof TestStateRequestError) throw err;
    if (controller.signal.reason === timeout) return { ok: false, error: timeout, final: true };
    return { ok: false, error: toStatesError(err), final: false };
  } finally {
    cancelTimer();
    stopWatching();
  }
}

async function runOnce(scope: StateScope, test: TestCase, stages: Stages): Promise<StateResult> {
  const { state, input } = test;
  if (languageOf(state, test.queryLanguage) === 'JSONata') return runJsonataOnce(scope, test, stages);
  const mock = test.mock;
  switch (state.Type) {
    case 'Pass': {
      const result = runPass(scope, state, input);
      passStages(state, input, stages);
      return result;
    }
    case 'Choice':
      inputPathStage(state, input, stages);
      return runChoice(scope, state, input);
    case 'Succeed':
      inputPathStage(state, input, stages);
      return runSucceed(state, input, envOf(scope.thread));
    case 'Wait':
      inputPathStage(state, input, stages);
      return runWait(scope, state, input);
    case 'Fail':
      inputPathStage(state, input, stages);
      throw failError(scope, state, input);
    case 'Task':
      return { ...(mock ? runMocked(scope, state, input, mock) : await runTask(scope, state, input)), next: state.Next };
    case 'Parallel':
      return { ...runMocked(scope, state, input, mock!), next: state.Next };
    case 'Map':
      return { ...(await runMockedMap(scope, state, test, mock!, stages)), next: state.Next };
  }
}

/** A JSONata state: its own code, or with a mock, its Arguments and result side around the mocked result. */
async function runJsonataOnce(scope: StateScope, test: TestCase, stages: Stages): Promise<StateResult> {
  const { state, input, mock } = test;
  switch (state.Type) {
    case 'Pass':
      return runJsonataPass(scope, state, input);
    case 'Choice':
      return runJsonataChoice(scope, state, input);
    case 'Succeed':
      return runJsonataSucceed(scope, state, input);
    case 'Wait':
      return runJsonataWait(scope, state, input);
    case 'Fail':
      throw await jsonataFailError(scope, state, input);
    case 'Task':
      return { ...(mock ? await runMockedJsonata(scope, state, input, mock) : await runJsonataTask(scope, state, input)), next: state.Next };
    case 'Parallel':
      return { ...(await runMockedJsonata(scope, state, input, mock!)), next: state.Next };
    case 'Map': {
      const plan = jsonataMapPlan(jsonataScope({ ...scope, retryCount: 0 }, { input }), state);
      const unreadItems = () => (Array.isArray(input) ? input : checkedItems(scope.name, input, undefined));
      await runMapInput(scope, { plan, unreadItems, readerItems: test.mapItems, failed: mock!.kind === 'result' ? test.mapIterationFailureCount : undefined, showItems: false }, stages);
      return { ...(await mockedResultJsonata(scope, state, input, mock!)), next: state.Next };
    }
  }
}

async function runMockedJsonata(scope: StateScope, state: TaskState | ParallelState, input: unknown, mock: TestMock): Promise<Outcome> {
  const args = state.Arguments === undefined ? input : await evaluateField(jsonataScope(scope, { input }), state.Arguments, 'Arguments');
  noteStage(scope, 'afterArguments', args);
  return mockedResultJsonata(scope, state, input, mock);
}

/** A JSONata state's result side over a mocked result (or its mocked error). */
async function mockedResultJsonata(scope: StateScope, state: TaskState | ParallelState | MapState, input: unknown, mock: TestMock): Promise<Outcome> {
  if (mock.kind === 'error') throw mock.error;
  noteStage(scope, 'result', mock.result);
  const after = withStates(jsonataScope(scope, { input }), { input, result: mock.result });
  const assign = await jsonataAssignment(after, state.Assign, 'Assign');
  return { output: state.Output === undefined ? mock.result : await evaluateField(after, state.Output, 'Output'), assign };
}

/** For the states that take only InputPath; a path that fails is reported by the state's own run. */
function inputPathStage(state: StateDefinition, input: unknown, stages: Stages): void {
  try {
    stages.afterInputPath = toJson(applyInputPath(input, 'InputPath' in state ? state.InputPath : undefined));
  } catch {
    // The state's run throws the same error, with the state's name in it.
  }
}

/** runPass recorded InputPath and Parameters (applyParameters); its result is Result, or the Parameters' output. */
function passStages(state: PassState, input: unknown, stages: Stages): void {
  if ('Result' in state) {
    stages.result = toJson(state.Result);
    stages.afterResultSelector = stages.result;
    stages.afterResultPath = toJson(applyResultPath(input, state.Result, state.ResultPath));
    return;
  }
  const afterParameters = stages.afterParameters ?? toJson(input);
  stages.afterResultSelector = afterParameters;
  stages.afterResultPath = toJson(applyResultPath(input, JSON.parse(afterParameters), state.ResultPath));
}

/** A mocked Task or Parallel: InputPath and Parameters run, the mock stands for the work, then the result side. */
function runMocked(scope: StateScope, state: TaskState | ParallelState, rawInput: unknown, mock: TestMock): Outcome {
  applyParameters(scope, state, applyInputPath(rawInput, state.InputPath, envOf(scope.thread)));
  if (mock.kind === 'error') throw mock.error;
  return { output: processResult(scope, state, rawInput, mock.result), assign: jsonPathAssignment(scope, state.Assign, mock.result) };
}

async function runMockedMap(scope: StateScope, state: MapState, test: TestCase, mock: TestMock, stages: Stages): Promise<Outcome> {
  const env = envOf(scope.thread);
  const effective = applyInputPath(test.input, state.InputPath, env);
  stages.afterInputPath = toJson(effective);
  const plan = jsonPathMapPlan({ ...scope, retryCount: 0 }, state, effective);
  // Without the data, the input stands for what the ItemReader read (the developer guide's advice).
  const unreadItems = () => checkedItems(scope.name, state.ItemsPath !== undefined ? readPath(effective, state.ItemsPath, 'ItemsPath', env) : effective, state.ItemsPath);
  // A mocked error is the Map's error whatever the iterations did; only a mocked result is checked against the threshold.
  await runMapInput(scope, { plan, unreadItems, readerItems: test.mapItems, failed: mock.kind === 'result' ? test.mapIterationFailureCount : undefined, showItems: true }, stages);
  if (mock.kind === 'error') throw mock.error;
  return { output: processResult(scope, state, test.input, mock.result), assign: jsonPathAssignment(scope, state.Assign, mock.result) };
}

function handlesErrors(state: StateDefinition): state is RetryableState {
  return state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map';
}

/** What Retry and Catch would do with the attempt's error, reported instead of done (a catcher's Assign is made). */
async function outcomeOf(scope: StateScope, test: TestCase, attempt: Attempt, retryCount: number): Promise<TestOutcome> {
  if (attempt.ok) return { status: 'SUCCEEDED', output: attempt.output, next: attempt.next };
  const { error } = attempt;
  const state = test.state;
  if (attempt.final || !handlesErrors(state)) return { status: 'FAILED', error };
  const errorDetails: InspectionErrorDetails = {};
  const retryIndex = findRetrier(state.Retry, error.error);
  if (retryIndex >= 0) {
    errorDetails.retryIndex = retryIndex;
    const delay = retryDelaySeconds(state.Retry![retryIndex]!, retryCount);
    // The API reports whole seconds.
    if (delay !== undefined) return { status: 'RETRIABLE', error, errorDetails: { ...errorDetails, retryBackoffIntervalSeconds: Math.round(delay) } };
  }
  const catchIndex = findCatcherIndex(state.Catch, error.error);
  if (catchIndex < 0) return { status: 'FAILED', error, errorDetails };
  const catcher = state.Catch![catchIndex]!;
  errorDetails.catchIndex = catchIndex;
  try {
    const { output, assign } = await catcherOutcome(scope, languageOf(state, test.queryLanguage), catcher, catchIndex, test.input, error);
    if (assign) commitAssignment(scope.thread.vars, assign);
    return { status: 'CAUGHT_ERROR', output, next: catcher.Next, error, errorDetails };
  } catch (err) {
    return { status: 'FAILED', error: toStatesError(err), errorDetails };
  }
}

function respond(test: TestCase, outcome: TestOutcome, stages: Stages, thread: Thread): TestStateResponse {
  const response: TestStateResponse = { status: outcome.status };
  if (outcome.status === 'SUCCEEDED' || outcome.status === 'CAUGHT_ERROR') {
    // Data that went through untouched keeps the text it came in (as AWS answers: `{"number": 2}` stays spaced).
    response.output = outcome.output === test.input ? test.inputText : toJson(outcome.output);
  }
  if (outcome.error) {
    response.error = outcome.error.error;
    response.cause = outcome.error.cause;
  }
  if (outcome.next !== undefined) response.nextState = outcome.next;
  if (test.level !== 'INFO') response.inspectionData = inspectionData(test, stages, outcome.errorDetails, thread);
  return response;
}

const STAGE_FIELDS = [
  'afterArguments', 'afterInputPath', 'afterParameters', 'afterItemsPath', 'afterItemSelector', 'afterItemBatcher', 'maxConcurrency',
  'toleratedFailureCount', 'toleratedFailurePercentage', 'result', 'afterResultSelector', 'afterResultPath',
] as const;

function inspectionData(test: TestCase, stages: Stages, errorDetails: InspectionErrorDetails | undefined, thread: Thread): InspectionData {
  const data: InspectionData = { input: test.inputText };
  // A Pass with Result ignores its input: AWS shows no InputPath or Parameters steps for it.
  const skipped = test.state.Type === 'Pass' && 'Result' in test.state ? ['afterInputPath', 'afterParameters'] : [];
  for (const field of STAGE_FIELDS) {
    const value = stages[field];
    if (value !== undefined && !skipped.includes(field)) (data as Record<string, unknown>)[field] = value;
  }
  // "The set of workflow variables after execution of the state": the ones given, with the state's assignments.
  const variables = visibleVariables(thread.vars);
  if (Object.keys(variables).length) data.variables = JSON.stringify(variables);
  if (errorDetails && Object.keys(errorDetails).length) data.errorDetails = errorDetails;
  return data;
}
