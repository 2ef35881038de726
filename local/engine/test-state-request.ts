// TestState's request, checked as AWS checks it and turned into the case to run: the state (one state, or the one
// `stateName` picks from a whole machine, validated by the definition loader), the parsed input, the mock and the
// state configuration. Errors are StatesErrors named as the API names them (ValidationException,
// InvalidDefinition, InvalidExecutionInput, InvalidArn), each naming the offending field.
import { DefinitionError, loadDefinition } from './definition-loader';
import { StatesError } from './errors';
import { mapProcessor } from './map-items';
import { MAX_PAYLOAD_BYTES } from './quotas';
import { classifyResource } from './resources/classify';
import type { InspectionLevel, TestStateRequest } from './test-state-types';
import type { BranchDefinition, MapState, QueryLanguage, StateDefinition } from './types';

/** The name a lone state gets, as AWS names it in `$$.State.Name`. */
export const SINGLE_STATE_NAME = 'StateName';

const MAX_DEFINITION_CHARS = 1_048_576;
const MAX_NAME_CHARS = 80;
const LEVELS: readonly InspectionLevel[] = ['INFO', 'DEBUG', 'TRACE'];
const VALIDATION_MODES = ['STRICT', 'PRESENT', 'NONE'];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** A Task resource that never runs may be anything AWS accepts; the loader checks this one in its place. */
const STAND_IN_RESOURCE = 'arn:aws:states:::lambda:invoke';

export type TestMock = { kind: 'result'; result: unknown } | { kind: 'error'; error: StatesError };

export interface TestCase {
  name: string;
  state: StateDefinition;
  input: unknown;
  /** The input as the caller wrote it: inspectionData.input echoes it. */
  inputText: string;
  level: InspectionLevel;
  roleArn?: string;
  mock?: TestMock;
  /** The variables the state sees, when any were given. */
  variables?: Record<string, unknown>;
  /** The machine's QueryLanguage (a lone state has none: its own decides). */
  queryLanguage?: QueryLanguage;
  /** The `context` request field, parsed. */
  context?: Record<string, unknown>;
  /** The state sits in a Map's ItemProcessor: `$$.Map.Item` gets a default. */
  insideMap: boolean;
  retrierRetryCount?: number;
  mapIterationFailureCount?: number;
  mapItems?: unknown[];
}

/** A request TestState refuses (an API error), as opposed to an error of the state under test. */
export class TestStateRequestError extends StatesError {}

function validation(message: string): StatesError {
  return new TestStateRequestError('ValidationException', message);
}

/** AWS's wording for a request field that breaks its constraint. */
function badField(field: string, value: unknown, constraint: string): StatesError {
  return validation(`1 validation error detected: Value ${JSON.stringify(value)} at '${field}' failed to satisfy constraint: ${constraint}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function optionalString(value: unknown, field: string, min: number, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badField(field, value, 'Member must be a string');
  if (value.length < min || value.length > max) {
    throw badField(field, value.length > 100 ? `${value.slice(0, 100)}…` : value, `Member must have length between ${min} and ${max}`);
  }
  return value;
}

function optionalCount(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw badField(field, value, 'Member must be an integer greater than or equal to 0');
  }
  return value;
}

function parseJsonField(text: string, field: string, errorName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TestStateRequestError(errorName, `${field} is not valid JSON: ${(err as Error).message}`);
  }
}

export function readTestCase(request: TestStateRequest): TestCase {
  if (!isObject(request)) throw validation('The TestState request must be a JSON object.');
  const definitionText = optionalString(request.definition, 'definition', 1, MAX_DEFINITION_CHARS);
  if (definitionText === undefined) throw validation("1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null");
  const stateName = optionalString(request.stateName, 'stateName', 1, MAX_NAME_CHARS);
  const level = request.inspectionLevel ?? 'INFO';
  if (!LEVELS.includes(level)) throw badField('inspectionLevel', level, `Member must satisfy enum value set: [${LEVELS.join(', ')}]`);
  if (request.revealSecrets !== undefined && request.revealSecrets !== null && typeof request.revealSecrets !== 'boolean') {
    throw badField('revealSecrets', request.revealSecrets, 'Member must be a boolean');
  }
  const roleArn = optionalString(request.roleArn, 'roleArn', 1, 256);
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
    throw new TestStateRequestError('InvalidArn', `Invalid Arn: '${roleArn}' (roleArn must be an IAM role ARN: arn:aws:iam::<account>:role/<name>)`);
  }
  const inputText = optionalString(request.input, 'input', 0, MAX_PAYLOAD_BYTES) ?? '{}';
  const input = parseJsonField(inputText, 'input', 'InvalidExecutionInput');
  const variables = readVariables(request.variables);
  const mock = readMock(request.mock);
  if (mock && request.revealSecrets === true) throw validation('TestState does not support RevealSecrets when a mock is specified.');
  const contextText = optionalString(request.context, 'context', 0, MAX_PAYLOAD_BYTES);
  if (contextText !== undefined && !mock) throw validation('context may only be specified together with a mock.');
  const context = contextText === undefined ? undefined : parseJsonField(contextText, 'context', 'ValidationException');
  if (context !== undefined && !isObject(context)) throw validation('context must be a JSON object (a Context object, as $$ shows it).');

  const { name, state, machine, insideMap } = resolveState(definitionText, stateName);
  const queryLanguage = (machine as { QueryLanguage?: QueryLanguage }).QueryLanguage;
  checkMockRules(state, mock, roleArn);
  const loaded = loadForTest(machine, state, mock !== undefined);
  const tested = withOwnResource(findState(loaded, name)!.state, state);

  const config = readConfiguration(request.stateConfiguration, tested, mock);
  if (mock?.kind === 'result') checkMockResultShape(tested, mock.result);
  return { name, state: tested, input, inputText, level, roleArn, mock, variables, queryLanguage, context, insideMap, ...config };
}

function readVariables(value: unknown): Record<string, unknown> | undefined {
  const text = optionalString(value, 'variables', 0, MAX_PAYLOAD_BYTES);
  if (text === undefined) return undefined;
  const parsed = parseJsonField(text, 'variables', 'ValidationException');
  if (!isObject(parsed)) throw validation('variables must be a JSON object: variable names to values.');
  return Object.keys(parsed).length ? parsed : undefined;
}

function readMock(value: unknown): TestMock | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badField('mock', value, 'Member must be an object with result or errorOutput');
  const mode = value.fieldValidationMode;
  if (mode !== undefined && mode !== null && !VALIDATION_MODES.includes(mode as string)) {
    throw badField('mock.fieldValidationMode', mode, `Member must satisfy enum value set: [${VALIDATION_MODES.join(', ')}]`);
  }
  const hasResult = value.result !== undefined && value.result !== null;
  const hasError = value.errorOutput !== undefined && value.errorOutput !== null;
  if (hasResult && hasError) throw validation('A test mock should have only one of the following fields: [result, errorOutput].');
  if (!hasResult && !hasError) throw validation('A test mock should have one of the following fields: [result, errorOutput].');
  if (hasResult) {
    const text = optionalString(value.result, 'mock.result', 0, MAX_PAYLOAD_BYTES)!;
    return { kind: 'result', result: parseJsonField(text, 'mock.result', 'ValidationException') };
  }
  const errorOutput = value.errorOutput;
  if (!isObject(errorOutput)) throw badField('mock.errorOutput', errorOutput, 'Member must be an object with error and cause');
  const error = optionalString(errorOutput.error, 'mock.errorOutput.error', 0, 256);
  if (error === undefined) throw validation('mock.errorOutput.error is required when mock.errorOutput is specified.');
  const cause = optionalString(errorOutput.cause, 'mock.errorOutput.cause', 0, 32_768) ?? '';
  return { kind: 'error', error: new StatesError(error, cause) };
}

interface Resolved {
  name: string;
  state: StateDefinition;
  /** What the loader validates: the whole machine, or the lone state wrapped into one. */
  machine: BranchDefinition;
  insideMap: boolean;
}

function resolveState(definitionText: string, stateName: string | undefined): Resolved {
  const parsed = parseJsonField(definitionText, 'definition', 'InvalidDefinition');
  if (stateName === undefined) {
    if (!isObject(parsed) || typeof parsed.Type !== 'string') {
      throw new TestStateRequestError(
        'InvalidDefinition',
        'definition must be one state (a JSON object with a Type); to test a state of a whole state machine, name it in stateName.',
      );
    }
    const state = parsed as unknown as StateDefinition;
    const machine: BranchDefinition = { StartAt: SINGLE_STATE_NAME, States: { ...stubTargets(state), [SINGLE_STATE_NAME]: state } };
    return { name: SINGLE_STATE_NAME, state, machine, insideMap: false };
  }
  if (!isObject(parsed) || !isObject(parsed.States)) {
    throw new TestStateRequestError('InvalidDefinition', 'With stateName, definition must be a whole state machine (StartAt and States).');
  }
  const machine = parsed as unknown as BranchDefinition;
  const found = findState(machine, stateName);
  if (!found) throw validation('State not found in definition');
  return { name: stateName, state: found.state, machine, insideMap: found.insideMap };
}

/** A lone state's Next, Default and Catch targets as Succeed states, so the loader sees a complete machine. */
function stubTargets(state: StateDefinition): Record<string, StateDefinition> {
  const targets = new Set<string>();
  const add = (name: unknown) => {
    if (typeof name === 'string' && name !== SINGLE_STATE_NAME) targets.add(name);
  };
  const loose = state as unknown as Record<string, unknown>;
  add(loose.Next);
  add(loose.Default);
  for (const list of [loose.Choices, loose.Catch]) {
    if (Array.isArray(list)) for (const entry of list) if (isObject(entry)) add(entry.Next);
  }
  return Object.fromEntries([...targets].map((name) => [name, { Type: 'Succeed' } as StateDefinition]));
}

/** Every branch directly inside a state: Parallel branches, a Map's processor. */
function branchesOf(state: StateDefinition): { branch: BranchDefinition; inMap: boolean }[] {
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) return state.Branches.map((branch) => ({ branch, inMap: false }));
  if (state.Type === 'Map') {
    const processor = mapProcessor(state);
    return isObject(processor) ? [{ branch: processor, inMap: true }] : [];
  }
  return [];
}

/** The state named `name` anywhere in the machine (names are unique machine-wide). */
export function findState(branch: BranchDefinition, name: string, insideMap = false): { state: StateDefinition; insideMap: boolean } | undefined {
  const states = isObject(branch?.States) ? branch.States : {};
  if (Object.hasOwn(states, name) && isObject(states[name])) return { state: states[name], insideMap };
  for (const state of Object.values(states)) {
    if (!isObject(state)) continue;
    for (const inner of branchesOf(state)) {
      const found = findState(inner.branch, name, insideMap || inner.inMap);
      if (found) return found;
    }
  }
  return undefined;
}

function needsMock(state: StateDefinition): string | undefined {
  if (state.Type !== 'Task' || typeof state.Resource !== 'string') return undefined;
  if (/^arn:aws[a-z-]*:states:[^:]*:\d*:activity:/.test(state.Resource)) return 'Activity tasks';
  if (/\.sync(:2)?$/.test(state.Resource)) return 'the .sync service integration pattern';
  if (state.Resource.endsWith('.waitForTaskToken')) return 'the .waitForTaskToken service integration pattern';
  return undefined;
}

/** AWS's rules on what may, and what must, be mocked. */
function checkMockRules(state: StateDefinition, mock: TestMock | undefined, roleArn: string | undefined): void {
  if (mock) {
    if (state.Type !== 'Task' && state.Type !== 'Map' && state.Type !== 'Parallel') {
      throw validation(`State type '${state.Type}' is not supported when a mock is specified`);
    }
    return;
  }
  if (state.Type === 'Map' || state.Type === 'Parallel') {
    throw new TestStateRequestError(
      'InvalidDefinition',
      'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]',
    );
  }
  const pattern = needsMock(state);
  if (pattern) throw validation(`TestState supports ${pattern} only when a mock is specified (mock.result or mock.errorOutput).`);
  if (state.Type === 'Task' && roleArn === undefined) throw validation('RoleArn must be specified when testing a Task state');
}

/**
 * The loader's checks on the machine, with every Task that will not run (all but the tested one, unless it is
 * mocked) standing in a runnable resource: AWS accepts resources this engine cannot call, and those never run here.
 */
function loadForTest(machine: BranchDefinition, tested: StateDefinition, mocked: boolean): BranchDefinition {
  const runs = mocked ? undefined : tested;
  try {
    return loadDefinition(withStandIns(machine, runs));
  } catch (err) {
    if (err instanceof DefinitionError) throw new TestStateRequestError('InvalidDefinition', err.problems.join('; '));
    throw err;
  }
}

/** The loaded state with the resource it was written with, should a stand-in have taken its place for the loader. */
function withOwnResource(loaded: StateDefinition, written: StateDefinition): StateDefinition {
  if (loaded.Type !== 'Task' || written.Type !== 'Task' || loaded.Resource === written.Resource) return loaded;
  return { ...loaded, Resource: written.Resource };
}

function withStandIns<B extends BranchDefinition>(branch: B, runs: StateDefinition | undefined): B {
  if (!isObject(branch?.States)) return branch;
  const states: Record<string, StateDefinition> = {};
  for (const [name, state] of Object.entries(branch.States)) states[name] = standIn(state, runs);
  return { ...branch, States: states };
}

function standIn(state: StateDefinition, runs: StateDefinition | undefined): StateDefinition {
  if (!isObject(state) || state === runs) return state;
  if (state.Type === 'Task' && typeof state.Resource === 'string' && state.Resource.startsWith('arn:')) {
    if (classifyResource(state.Resource).kind !== 'unsupported' && !('Credentials' in state)) return state;
    const { Credentials: _credentials, ...rest } = state;
    return { ...rest, Resource: STAND_IN_RESOURCE };
  }
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
    return { ...state, Branches: state.Branches.map((b) => withStandIns(b, runs)) };
  }
  if (state.Type === 'Map') {
    if (state.ItemProcessor !== undefined) return { ...state, ItemProcessor: withStandIns(state.ItemProcessor, runs) };
    if (state.Iterator !== undefined) return { ...state, Iterator: withStandIns(state.Iterator, runs) };
  }
  return state;
}

function readConfiguration(value: unknown, state: StateDefinition, mock: TestMock | undefined): Pick<TestCase, 'retrierRetryCount' | 'mapIterationFailureCount' | 'mapItems'> {
  if (value === undefined || value === null) {
    if (mock?.kind === 'error' && (state.Type === 'Map' || state.Type === 'Parallel')) throw missingErrorSource(state);
    return {};
  }
  if (!isObject(value)) throw badField('stateConfiguration', value, 'Member must be an object');
  const retrierRetryCount = optionalCount(value.retrierRetryCount, 'stateConfiguration.retrierRetryCount');
  const mapIterationFailureCount = optionalCount(value.mapIterationFailureCount, 'stateConfiguration.mapIterationFailureCount');
  const errorCausedByState = optionalString(value.errorCausedByState, 'stateConfiguration.errorCausedByState', 1, MAX_NAME_CHARS);
  const readerData = optionalString(value.mapItemReaderData, 'stateConfiguration.mapItemReaderData', 0, MAX_PAYLOAD_BYTES);

  if (errorCausedByState !== undefined) {
    if (state.Type !== 'Map' && state.Type !== 'Parallel') {
      throw validation('stateConfiguration.errorCausedByState applies only to a Map or Parallel state.');
    }
    if (mock?.kind !== 'error') throw validation('stateConfiguration.errorCausedByState needs a mocked error (mock.errorOutput).');
    if (!branchesOf(state).some(({ branch }) => findState(branch, errorCausedByState))) {
      throw validation(`stateConfiguration.errorCausedByState: there is no state named '${errorCausedByState}' inside this ${state.Type} state.`);
    }
  } else if (mock?.kind === 'error' && (state.Type === 'Map' || state.Type === 'Parallel')) {
    throw missingErrorSource(state);
  }
  if (mapIterationFailureCount !== undefined && state.Type !== 'Map') {
    throw validation('stateConfiguration.mapIterationFailureCount applies only to a Map state.');
  }
  let mapItems: unknown[] | undefined;
  if (readerData !== undefined) {
    if (state.Type !== 'Map' || !state.ItemReader) throw validation('stateConfiguration.mapItemReaderData applies only to a Map state with an ItemReader.');
    const type = state.ItemReader.ReaderConfig?.InputType ?? 'JSON';
    if (type !== 'JSON') throw validation(`stateConfiguration.mapItemReaderData: only a JSON array is read locally (this ItemReader reads ${type}).`);
    const parsed = parseJsonField(readerData, 'stateConfiguration.mapItemReaderData', 'ValidationException');
    if (!Array.isArray(parsed)) throw validation('stateConfiguration.mapItemReaderData must be a JSON array: the items the ItemReader would read.');
    mapItems = parsed;
  }
  return { retrierRetryCount, mapIterationFailureCount, mapItems };
}

function missingErrorSource(state: StateDefinition): StatesError {
  return validation(`stateConfiguration.errorCausedByState is required when mocking an error of a ${state.Type} state: name the state inside it that raised the error.`);
}

/** What a mocked Map or Parallel result must look like, as AWS checks it. */
function checkMockResultShape(state: StateDefinition, result: unknown): void {
  if (state.Type === 'Parallel') {
    if (!Array.isArray(result)) throw validation('Mocked result must be an array.');
    if (result.length !== state.Branches.length) throw validation('Mocked result must contain the same number of items as number of Parallel branches.');
  }
  if (state.Type === 'Map') {
    if ((state as MapState).ResultWriter) {
      if (!isObject(result)) throw validation('Mocked result must be a JSON object.');
    } else if (!Array.isArray(result)) {
      throw validation('Mocked result must be an array.');
    }
  }
}
