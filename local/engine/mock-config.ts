// Step Functions Local's mock configuration (MockConfigFile.json, the file SFN_MOCK_CONFIG names), in its
// own format: StateMachines → <machine> → TestCases → <test case> → { <state>: <mocked response> }, and
// MockedResponses → <mocked response> → { "<invocation>" or "<from>-<to>": { Return: … } | { Throw: { Error, Cause } } }.
// Checked whole when loaded, every problem named by its key, so a typo fails before any execution runs.
import { readFileSync } from 'node:fs';
import { StatesError } from './errors';

/** What one invocation of a mocked Task does instead of calling its resource. */
export type MockedResponse = { kind: 'return'; value: unknown } | { kind: 'throw'; error: string; cause: string };

interface InvocationRange {
  from: number;
  to: number;
  response: MockedResponse;
}

/** State name → mocked response name, for one test case. */
export type TestCase = ReadonlyMap<string, string>;

export interface MockConfig {
  /** Machine name → test case name → its states. */
  readonly stateMachines: ReadonlyMap<string, ReadonlyMap<string, TestCase>>;
  /** Mocked response name → its invocations, in order, from 0 with no gap. */
  readonly mockedResponses: ReadonlyMap<string, readonly InvocationRange[]>;
}

export class MockConfigError extends Error {
  override name = 'MockConfigError';
  constructor(readonly problems: string[], source?: string) {
    super(`${source ? `${source}: ` : ''}invalid mock configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
/** `StateMachines["Name"].TestCases`: how problems name the key they are about. */
const key = (parent: string, name: string) => `${parent}[${JSON.stringify(name)}]`;

function checkFields(value: Json, where: string, allowed: readonly string[], problems: string[]): void {
  for (const field of Object.keys(value)) {
    if (!allowed.includes(field)) problems.push(`${where}: unknown field ${JSON.stringify(field)} (expected ${allowed.join(' or ')})`);
  }
}

/** `"0"` → 0..0, `"1-2"` → 1..2; undefined when the key is not an invocation number or range. */
function parseRange(text: string): { from: number; to: number } | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return undefined;
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  return Number.isSafeInteger(from) && Number.isSafeInteger(to) ? { from, to } : undefined;
}

function parseResponse(entry: unknown, where: string, problems: string[]): MockedResponse | undefined {
  if (!isObject(entry)) {
    problems.push(`${where}: must be an object with Return or Throw, got ${describe(entry)}`);
    return undefined;
  }
  checkFields(entry, where, ['Return', 'Throw'], problems);
  const hasReturn = Object.hasOwn(entry, 'Return');
  const hasThrow = Object.hasOwn(entry, 'Throw');
  if (hasReturn && hasThrow) {
    problems.push(`${where}: has both Return and Throw; an invocation either returns or throws`);
    return undefined;
  }
  if (hasReturn) return { kind: 'return', value: entry.Return };
  if (!hasThrow) {
    problems.push(`${where}: needs Return or Throw`);
    return undefined;
  }
  const thrown = entry.Throw;
  const at = `${where}.Throw`;
  if (!isObject(thrown)) {
    problems.push(`${at}: must be an object with Error and Cause, got ${describe(thrown)}`);
    return undefined;
  }
  checkFields(thrown, at, ['Error', 'Cause'], problems);
  let ok = true;
  for (const field of ['Error', 'Cause'] as const) {
    if (typeof thrown[field] !== 'string') {
      problems.push(`${at}.${field}: must be a string, got ${Object.hasOwn(thrown, field) ? describe(thrown[field]) : 'nothing'}`);
      ok = false;
    }
  }
  return ok ? { kind: 'throw', error: thrown.Error as string, cause: thrown.Cause as string } : undefined;
}

/** One mocked response's invocations: valid keys, then in order from 0 with neither gap nor overlap. */
function parseInvocations(value: unknown, where: string, problems: string[]): InvocationRange[] {
  if (!isObject(value)) {
    problems.push(`${where}: must be an object of invocations ("0", "1-2", …), got ${describe(value)}`);
    return [];
  }
  const ranges: (InvocationRange & { text: string })[] = [];
  for (const [text, entry] of Object.entries(value)) {
    const at = key(where, text);
    const range = parseRange(text);
    if (!range) problems.push(`${at}: not an invocation number or range (expected e.g. "0" or "1-2")`);
    else if (range.from > range.to) problems.push(`${at}: the range ends before it starts`);
    const response = parseResponse(entry, at, problems);
    if (range && range.from <= range.to && response) ranges.push({ ...range, text, response });
  }
  if (Object.keys(value).length === 0) problems.push(`${where}: has no invocations (a mocked Task needs a response for each of its invocations, from "0")`);
  ranges.sort((a, b) => a.from - b.from);
  let next = 0;
  let previous: string | undefined;
  for (const range of ranges) {
    if (range.from < next) {
      problems.push(`${key(where, range.text)}: overlaps ${JSON.stringify(previous)}`);
    } else if (range.from > next) {
      problems.push(`${key(where, range.text)}: invocations ${next === range.from - 1 ? next : `${next}-${range.from - 1}`} have no response (invocations are numbered from 0 with no gap)`);
    }
    next = Math.max(next, range.to + 1);
    previous = range.text;
  }
  return ranges.map(({ from, to, response }) => ({ from, to, response }));
}

function parseStateMachines(value: unknown, responses: ReadonlyMap<string, unknown>, problems: string[]): Map<string, Map<string, TestCase>> {
  const machines = new Map<string, Map<string, TestCase>>();
  if (!isObject(value)) {
    problems.push(`StateMachines: must be an object of state machine names, got ${describe(value)}`);
    return machines;
  }
  for (const [machineName, machine] of Object.entries(value)) {
    const at = key('StateMachines', machineName);
    if (!isObject(machine)) {
      problems.push(`${at}: must be an object with TestCases, got ${describe(machine)}`);
      continue;
    }
    checkFields(machine, at, ['TestCases'], problems);
    if (!isObject(machine.TestCases)) {
      problems.push(`${at}.TestCases: must be an object of test cases, got ${Object.hasOwn(machine, 'TestCases') ? describe(machine.TestCases) : 'nothing'}`);
      continue;
    }
    const testCases = new Map<string, TestCase>();
    for (const [caseName, states] of Object.entries(machine.TestCases)) {
      const caseAt = key(`${at}.TestCases`, caseName);
      if (!isObject(states)) {
        problems.push(`${caseAt}: must be an object of state name → mocked response name, got ${describe(states)}`);
        continue;
      }
      const testCase = new Map<string, string>();
      for (const [stateName, responseName] of Object.entries(states)) {
        const stateAt = key(caseAt, stateName);
        if (typeof responseName !== 'string') problems.push(`${stateAt}: must name a mocked response, got ${describe(responseName)}`);
        else if (!responses.has(responseName)) problems.push(`${stateAt}: mocked response ${JSON.stringify(responseName)} is not defined in MockedResponses`);
        else testCase.set(stateName, responseName);
      }
      testCases.set(caseName, testCase);
    }
    machines.set(machineName, testCases);
  }
  return machines;
}

/** Checks a parsed MockConfigFile.json whole; throws MockConfigError listing every problem. */
export function parseMockConfig(json: unknown, source?: string): MockConfig {
  const problems: string[] = [];
  if (!isObject(json)) throw new MockConfigError([`the mock configuration must be a JSON object, got ${describe(json)}`], source);
  checkFields(json, 'the mock configuration', ['StateMachines', 'MockedResponses'], problems);
  const mockedResponses = new Map<string, InvocationRange[]>();
  if (!isObject(json.MockedResponses)) {
    problems.push(`MockedResponses: must be an object of mocked responses, got ${Object.hasOwn(json, 'MockedResponses') ? describe(json.MockedResponses) : 'nothing'}`);
  } else {
    for (const [name, invocations] of Object.entries(json.MockedResponses)) {
      mockedResponses.set(name, parseInvocations(invocations, key('MockedResponses', name), problems));
    }
  }
  if (!Object.hasOwn(json, 'StateMachines')) problems.push('StateMachines: missing (state machine name → TestCases)');
  const stateMachines = Object.hasOwn(json, 'StateMachines') ? parseStateMachines(json.StateMachines, mockedResponses, problems) : new Map();
  if (problems.length) throw new MockConfigError(problems, source);
  return { stateMachines, mockedResponses };
}

/** Reads and checks the mock configuration file at `path` (SFN_MOCK_CONFIG, `--mock-config`). */
export function loadMockConfig(path: string): MockConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new MockConfigError([`cannot read the file: ${(err as Error).message}`], path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MockConfigError([`not valid JSON: ${(err as Error).message}`], path);
  }
  return parseMockConfig(json, path);
}

/**
 * The machine whose test cases apply to an execution: a Distributed Map's child runs `<machine>/<label>`
 * and uses its parent machine's (a machine name cannot contain '/').
 */
export function mockedMachineName(stateMachineName: string): string {
  return stateMachineName.split('/')[0]!;
}

/**
 * The test case `<stateMachineArn>#<testCase>` selects. Unknown (or no mock configuration loaded): the
 * execution cannot start, an InvalidArn naming what is known.
 */
export function findTestCase(config: MockConfig | undefined, stateMachineName: string, testCase: string): TestCase {
  const machine = mockedMachineName(stateMachineName);
  if (!config) {
    throw new StatesError('StepFunctions.InvalidArnException', `Invalid Arn: test case '${testCase}' was asked for, but no mock configuration is loaded (SFN_MOCK_CONFIG, --mock-config).`);
  }
  const cases = config.stateMachines.get(machine);
  if (!cases) {
    throw new StatesError('StepFunctions.InvalidArnException', `Invalid Arn: the mock configuration has no test cases for state machine '${machine}' (it has: ${[...config.stateMachines.keys()].join(', ') || 'none'}).`);
  }
  const found = cases.get(testCase);
  if (!found) {
    throw new StatesError('StepFunctions.InvalidArnException', `Invalid Arn: state machine '${machine}' has no test case '${testCase}' in the mock configuration (it has: ${[...cases.keys()].join(', ') || 'none'}).`);
  }
  return found;
}

/** Every state some test case of `stateMachineName` mocks: their resources never run, so need not run locally. */
export function mockedStateNames(config: MockConfig | undefined, stateMachineName: string): Set<string> {
  const names = new Set<string>();
  for (const testCase of config?.stateMachines.get(mockedMachineName(stateMachineName))?.values() ?? []) {
    for (const state of testCase.keys()) names.add(state);
  }
  return names;
}

/** What invocation number `invocation` (from 0) of a state answered by `responseName` does; undefined past the last. */
export function mockedInvocation(config: MockConfig, responseName: string, invocation: number): MockedResponse | undefined {
  return config.mockedResponses.get(responseName)?.find((r) => invocation >= r.from && invocation <= r.to)?.response;
}
