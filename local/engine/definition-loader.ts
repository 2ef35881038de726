// Loads a definition before anything runs: placeholders, asl-validator, and our own checks for what the local
// engine cannot run. Every problem is reported at once, each naming its state.
import { checkIntrinsic, isIntrinsic } from './intrinsics';
import { createRequire } from 'node:module';
import { substitutePlaceholders } from '../../handlers/asl-placeholders';
import { installSchemaCache } from './asl-schema-cache';
import { checkHeartbeat } from './callback-task';
import { checkJsonataFields, checkVariableName } from './jsonata/check';
import { mapProcessor } from './map-items';
import { findTemplateProblems } from './payload-template';
import { checkLanguageFields, languageOf } from './query-language';
import { classifyResource } from './resources/classify';
import type { BranchDefinition, Catcher, ErrorHandling, MapState, QueryLanguage, Retrier, RetryableState, StateDefinition, StateMachineDefinition, TaskState } from './types';
import { validatorView } from './validator-view';
import { checkVariableScopes } from './variable-scopes';

export class DefinitionError extends Error {
  override name = 'DefinitionError';
  constructor(readonly problems: string[], fileName?: string) {
    super(`${fileName ? `${fileName}: ` : ''}invalid state machine definition:\n  - ${problems.join('\n  - ')}`);
  }
}

export interface LoadOptions {
  placeholders?: Record<string, string>;
  fileName?: string;
  /**
   * Task states a mock configuration answers for (mockedStateNames): their resources are never called, so
   * one the engine cannot run is no problem here (unmocked, it fails when it runs, as States.Runtime).
   */
  mockedStates?: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

type AslValidator = (definition: unknown, opts?: { checkPaths: boolean; checkArn: boolean }) => {
  isValid: boolean;
  errors: { 'Error code': string; Message: string; schemaError?: { instancePath?: string } }[];
};
const validateAsl = createRequire(import.meta.url)('asl-validator') as AslValidator;
installSchemaCache();

/** `/States/Map/ItemProcessor/States/Inner/Next` → `state 'Map' > 'Inner'`. */
function describeInstancePath(path: string | undefined): string {
  if (!path) return 'definition';
  const parts = path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const names: string[] = [];
  for (let i = 0; i < parts.length - 1; i++) if (parts[i] === 'States') names.push(`'${parts[++i]}'`);
  return names.length ? `state ${names.join(' > ')}` : 'definition';
}

function checkWildcards(list: (Retrier | Catcher)[] | undefined, field: string, where: string, problems: string[]): void {
  list?.forEach((entry, i) => {
    if (entry.ErrorEquals.includes('States.ALL') && (entry.ErrorEquals.length > 1 || i !== list.length - 1)) {
      problems.push(`${where}: ${field}[${i}] uses States.ALL, which must appear alone and in the last ${field === 'Retry' ? 'retrier' : 'catcher'}`);
    }
  });
}

const isPositiveInteger = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** What CreateStateMachine rejects in a retrier and asl-validator lets through. */
function checkRetriers(retriers: Retrier[] | undefined, where: string, problems: string[]): void {
  retriers?.forEach((r, i) => {
    const at = `${where}: Retry[${i}]`;
    if (r.IntervalSeconds !== undefined && !isPositiveInteger(r.IntervalSeconds)) {
      problems.push(`${at}: IntervalSeconds must be a positive integer, got ${JSON.stringify(r.IntervalSeconds)}`);
    }
    if (r.MaxDelaySeconds !== undefined && !isPositiveInteger(r.MaxDelaySeconds)) {
      problems.push(`${at}: MaxDelaySeconds must be a positive integer, got ${JSON.stringify(r.MaxDelaySeconds)}`);
    }
    if (r.MaxAttempts !== undefined && !(typeof r.MaxAttempts === 'number' && Number.isInteger(r.MaxAttempts) && r.MaxAttempts >= 0)) {
      problems.push(`${at}: MaxAttempts must be a non-negative integer, got ${JSON.stringify(r.MaxAttempts)}`);
    }
    if (r.BackoffRate !== undefined && !(typeof r.BackoffRate === 'number' && r.BackoffRate >= 1)) {
      problems.push(`${at}: BackoffRate must be a number greater than or equal to 1.0, got ${JSON.stringify(r.BackoffRate)}`);
    }
    if (r.JitterStrategy !== undefined && r.JitterStrategy !== 'FULL' && r.JitterStrategy !== 'NONE') {
      problems.push(`${at}: JitterStrategy must be FULL or NONE, got ${JSON.stringify(r.JitterStrategy)}`);
    }
  });
}

const ITEM_READERS = new Set(['arn:aws:states:::s3:getObject', 'arn:aws:states:::s3:listObjectsV2']);

/** A JSONPath Assign field: a payload template whose keys are variable names. */
function checkJsonPathAssign(assign: unknown, location: string, where: string, problems: string[]): void {
  if (assign === undefined) return;
  if (assign === null || typeof assign !== 'object' || Array.isArray(assign)) {
    problems.push(`${where}: ${location}: must be a JSON object (variable names to values), got ${JSON.stringify(assign)}`);
    return;
  }
  for (const key of Object.keys(assign)) checkVariableName(key, `${location}/${key}`, (at, message) => problems.push(`${where}: ${at}: ${message}`));
  for (const problem of findTemplateProblems(assign, location)) problems.push(`${where}: ${problem}`);
}

/** The fields that depend on the state's query language: the other language's fields, Assign, JSONata expressions. */
function checkLanguage(state: StateDefinition, machine: QueryLanguage | undefined, where: string, problems: string[]): void {
  checkLanguageFields(state, machine, where, problems);
  if (languageOf(state, machine) === 'JSONata') {
    checkJsonataFields(state, where, problems);
    return;
  }
  checkJsonPathAssign(state.Assign, 'Assign', where, problems);
  if (state.Type === 'Choice' && Array.isArray(state.Choices)) state.Choices.forEach((rule, i) => checkJsonPathAssign(rule?.Assign, `Choices[${i}]/Assign`, where, problems));
  if ('Catch' in state && Array.isArray(state.Catch)) state.Catch.forEach((c, i) => checkJsonPathAssign(c?.Assign, `Catch[${i}]/Assign`, where, problems));
}

/** Every state's language-dependent fields, at any depth; a Map's processor and a Parallel's branches are not states. */
function checkLanguages(branch: BranchDefinition, machine: QueryLanguage | undefined, prefix: string, problems: string[]): void {
  if (!branch || typeof branch.States !== 'object' || branch.States === null) return;
  for (const [name, state] of Object.entries(branch.States)) {
    if (!state || typeof state !== 'object') continue;
    const where = `${prefix}state '${name}'`.replace(/> state/, '>');
    checkLanguage(state, machine, where, problems);
    const inner: [BranchDefinition | undefined, string, string][] = state.Type === 'Map'
      ? [[mapProcessor(state), `${where} > `, state.ItemProcessor !== undefined ? 'ItemProcessor' : 'Iterator']]
      : state.Type === 'Parallel' && Array.isArray(state.Branches) ? state.Branches.map((b, i) => [b, `${where} > branch ${i}: `, `Branches[${i}]`]) : [];
    for (const [b, at, field] of inner) {
      if (b && typeof b === 'object' && 'QueryLanguage' in b) problems.push(`${where}: ${field}: Field 'QueryLanguage' is not supported (a state's QueryLanguage goes on the state)`);
      if (b) checkLanguages(b, machine, at, problems);
    }
  }
}

function checkTask(state: TaskState, where: string, problems: string[], mocked: boolean): void {
  const kind = classifyResource(state.Resource);
  if (kind.kind === 'unsupported' && !mocked) problems.push(`${where}: ${state.Resource}: ${kind.reason}`);
  checkHeartbeat(state, where, problems);
  if ('Credentials' in state) problems.push(`${where}: Credentials (cross-account tasks) is not supported locally`);
}

function checkErrorHandling(state: ErrorHandling, where: string, problems: string[]): void {
  checkWildcards(state.Retry, 'Retry', where, problems);
  checkRetriers(state.Retry, where, problems);
  checkWildcards(state.Catch, 'Catch', where, problems);
}

function checkMap(state: MapState, where: string, problems: string[], mocked: ReadonlySet<string>): void {
  const reader = state.ItemReader;
  if (reader && !ITEM_READERS.has(reader.Resource)) {
    problems.push(`${where}: ItemReader resource ${reader.Resource} is not supported locally (use s3:getObject or s3:listObjectsV2)`);
  }
  if (reader?.ReaderConfig?.InputType && !['JSON', 'JSONL', 'CSV'].includes(reader.ReaderConfig.InputType)) {
    problems.push(`${where}: ItemReader InputType ${reader.ReaderConfig.InputType} is not supported locally (JSON, JSONL, CSV)`);
  }
  if (state.ResultWriter && state.ResultWriter.Resource !== 'arn:aws:states:::s3:putObject') {
    problems.push(`${where}: ResultWriter resource ${String(state.ResultWriter.Resource)} is not supported locally (use arn:aws:states:::s3:putObject)`);
  }
  checkBranch(mapProcessor(state), `${where} > `, problems, mocked);
}

function handlesErrors(state: StateDefinition): state is RetryableState {
  return state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map';
}

function checkState(state: StateDefinition, where: string, problems: string[], mocked: ReadonlySet<string>, stateMocked: boolean): void {
  if (state.Type === 'Task') checkTask(state, where, problems, stateMocked);
  if (handlesErrors(state)) checkErrorHandling(state, where, problems);
  if (state.Type === 'Map') checkMap(state, where, problems, mocked);
  if (state.Type === 'Parallel') state.Branches.forEach((b, i) => checkBranch(b, `${where} > branch ${i}: `, problems, mocked));
}

function checkBranch(branch: BranchDefinition, prefix: string, problems: string[], mocked: ReadonlySet<string>): void {
  for (const [name, state] of Object.entries(branch.States ?? {})) {
    checkState(state, `${prefix}state '${name}'`.replace(/> state/, '>'), problems, mocked, mocked.has(name));
  }
}

/**
 * asl-validator's grammar for intrinsic calls has no decimal literals (`States.MathAdd(1.5, 2)`,
 * `States.Array(1, -5, 3.3)`), which AWS accepts (and rounds where its guide says so). Where it refuses a
 * payload-template value that our own intrinsic parser accepts, its verdict is dropped: the value is
 * checked (names, argument counts) and run by ours.
 */
function isValidatorGap(definition: StateMachineDefinition, error: AslErrors[number]): boolean {
  if (!error.Message.endsWith('must match format "asl_payload_template"')) return false;
  const value = valueAt(definition, error.schemaError?.instancePath ?? '');
  if (typeof value !== 'string' || !isIntrinsic(value)) return false;
  try {
    checkIntrinsic(value);
    return true;
  } catch {
    return false;
  }
}

/** The value at a JSON pointer (`/States/P/Parameters/v.$`). */
function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

// Even with its schemas compiled once (asl-schema-cache.ts), a verdict costs a few ms: remember those for texts already seen.
const verdicts = new Map<string, AslErrors>();
type AslErrors = ReturnType<AslValidator>['errors'];

function validate(definition: StateMachineDefinition): AslErrors {
  const key = JSON.stringify(definition);
  let errors = verdicts.get(key);
  if (!errors) {
    // asl-validator annotates the object it is given (QueryLanguage): hand it a copy.
    errors = validateAsl(structuredClone(validatorView(definition)), { checkPaths: true, checkArn: true }).errors;
    if (verdicts.size >= 200) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(key, errors);
  }
  return errors;
}

export function loadDefinition(source: string | object, opts: LoadOptions = {}): StateMachineDefinition {
  let parsed: unknown = source;
  if (typeof source === 'string') {
    try {
      parsed = JSON.parse(source);
    } catch (err) {
      throw new DefinitionError([`not valid JSON: ${(err as Error).message}`], opts.fileName);
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DefinitionError(['a state machine definition must be a JSON object'], opts.fileName);
  }
  const substituted = substitutePlaceholders(parsed, opts.placeholders ?? {});
  if (substituted.problems.length) throw new DefinitionError(substituted.problems, opts.fileName);
  const definition = substituted.value as StateMachineDefinition;
  const problems: string[] = [];

  checkLanguages(definition, definition.QueryLanguage, '', problems);
  for (const e of validate(definition)) {
    if (isValidatorGap(definition, e)) continue;
    // Schema errors point at a JSON path; the other checks already name their state in the message.
    problems.push(e.schemaError ? `${describeInstancePath(e.schemaError.instancePath)}: ${e.Message}` : e.Message);
  }
  if (!problems.length) {
    checkBranch(definition, '', problems, opts.mockedStates ?? NONE);
    checkVariableScopes(definition, problems);
  }
  if (problems.length) throw new DefinitionError(problems, opts.fileName);
  return definition;
}
