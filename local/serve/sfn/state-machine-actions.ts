// CreateStateMachine, UpdateStateMachine, DeleteStateMachine, DescribeStateMachine, ListStateMachines and
// ValidateStateMachineDefinition.
import { randomUUID } from 'node:crypto';
import { DefinitionError, loadDefinition } from '../../engine';
import { ApiError } from '../api-types';
import { checkRoleArn, checkStatesArn } from './arns';
import {
  checkName,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  prefixed,
  requiredString,
  type RequestBody,
} from './request-fields';
import type { SfnAction } from './sfn-context';
import { DEFAULT_LOGGING, loadMachineDefinition, type LoggingConfiguration, type StateMachineEntry, type StateMachineRegistry } from './state-machines';
import { describeStateMachineShape, epochSeconds, stateMachineListItemShape } from './wire-shapes';

const MAX_DEFINITION = 1_048_576;
const LOG_LEVELS = ['ALL', 'ERROR', 'FATAL', 'OFF'] as const;

function readDefinitionText(body: RequestBody, required: boolean): string | undefined {
  return required
    ? requiredString(body, 'definition', { min: 1, max: MAX_DEFINITION })
    : optionalString(body, 'definition', { min: 1, max: MAX_DEFINITION });
}

function readType(body: RequestBody): 'STANDARD' {
  const type = optionalEnum(body, 'type', ['STANDARD', 'EXPRESS'] as const) ?? 'STANDARD';
  if (type === 'EXPRESS') {
    throw new ApiError('ValidationException', "type EXPRESS is not supported locally: longhaul serve runs STANDARD state machines only (set 'type' to STANDARD or leave it out)");
  }
  return type;
}

function refusePublish(body: RequestBody): void {
  if (optionalBoolean(body, 'publish')) {
    throw new ApiError('ValidationException', "'publish' (state machine versions) is not supported locally: leave it out or set it to false");
  }
}

function readLogging(body: RequestBody): LoggingConfiguration | undefined {
  const given = optionalObject(body, 'loggingConfiguration');
  if (!given) return undefined;
  const fields = prefixed(given, 'loggingConfiguration');
  const destinations = fields['loggingConfiguration.destinations'];
  if (destinations !== undefined && !Array.isArray(destinations)) {
    throw new ApiError('ValidationException', "1 validation error detected: Value at 'loggingConfiguration.destinations' must be a list");
  }
  return {
    level: optionalEnum(fields, 'loggingConfiguration.level', LOG_LEVELS) ?? 'OFF',
    includeExecutionData: optionalBoolean(fields, 'loggingConfiguration.includeExecutionData') ?? false,
    ...(destinations ? { destinations: destinations as unknown[] } : {}),
  };
}

function readTracing(body: RequestBody): { enabled: boolean } | undefined {
  const given = optionalObject(body, 'tracingConfiguration');
  if (!given) return undefined;
  return { enabled: optionalBoolean(prefixed(given, 'tracingConfiguration'), 'tracingConfiguration.enabled') ?? false };
}

function readStateMachineArn(body: RequestBody): string {
  return checkStatesArn(requiredString(body, 'stateMachineArn', { min: 1, max: 256 }), 'stateMachineArn', 'stateMachine');
}

export function findStateMachine(registry: StateMachineRegistry, arn: string): StateMachineEntry {
  const entry = registry.find(arn);
  if (!entry) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  return entry;
}

function refuseBuiltIn(entry: StateMachineEntry, what: string): void {
  if (entry.builtIn) {
    throw new ApiError(
      'ValidationException',
      `State machine '${entry.name}' is built into longhaul serve (a pipeline): it is registered again at every start, so it cannot be ${what} here; create a state machine under another name instead`,
    );
  }
}

/** JSON text with insignificant whitespace removed, so reformatting a definition is no change. */
function canonical(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/**
 * AWS's idempotency rule for CreateStateMachine: a request for an existing name with the same definition,
 * type, logging and tracing configuration returns the existing machine (a different roleArn or tags are
 * ignored and not applied); any other difference is StateMachineAlreadyExists.
 */
function sameMachine(entry: StateMachineEntry, definitionText: string, logging: LoggingConfiguration, tracing: { enabled: boolean }): boolean {
  return (
    canonical(entry.definitionText) === canonical(definitionText) &&
    JSON.stringify(entry.loggingConfiguration) === JSON.stringify(logging) &&
    entry.tracingConfiguration.enabled === tracing.enabled
  );
}

export const createStateMachine: SfnAction = ({ registry, engine }, body) => {
  const name = checkName(requiredString(body, 'name'), 'state machine');
  const definitionText = readDefinitionText(body, true)!;
  const roleArn = checkRoleArn(requiredString(body, 'roleArn', { min: 1, max: 256 }), 'roleArn');
  const type = readType(body);
  refusePublish(body);
  const logging = readLogging(body) ?? DEFAULT_LOGGING;
  const tracing = readTracing(body) ?? { enabled: false };
  const definition = loadMachineDefinition(engine, name, definitionText);

  const arn = registry.arnOf(name);
  const existing = registry.find(arn);
  if (existing) {
    if (!sameMachine(existing, definitionText, logging, tracing)) {
      throw new ApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}' (with another definition or configuration)`);
    }
    return { stateMachineArn: arn, creationDate: epochSeconds(existing.creationDate) };
  }
  const entry: StateMachineEntry = {
    arn,
    name,
    definitionText,
    definition,
    roleArn,
    type,
    creationDate: new Date(),
    revisionId: randomUUID(),
    loggingConfiguration: logging,
    tracingConfiguration: tracing,
    builtIn: false,
  };
  registry.save(entry);
  return { stateMachineArn: arn, creationDate: epochSeconds(entry.creationDate) };
};

export const updateStateMachine: SfnAction = ({ registry, engine }, body) => {
  const arn = readStateMachineArn(body);
  const definitionText = readDefinitionText(body, false);
  const roleArnText = optionalString(body, 'roleArn', { min: 1, max: 256 });
  const roleArn = roleArnText === undefined ? undefined : checkRoleArn(roleArnText, 'roleArn');
  refusePublish(body);
  const logging = readLogging(body);
  const tracing = readTracing(body);
  if (definitionText === undefined && roleArn === undefined && !logging && !tracing) {
    throw new ApiError('MissingRequiredParameter', 'UpdateStateMachine needs at least one of definition, roleArn, loggingConfiguration or tracingConfiguration');
  }
  const entry = findStateMachine(registry, arn);
  refuseBuiltIn(entry, 'updated');
  const updated: StateMachineEntry = {
    ...entry,
    ...(definitionText === undefined ? {} : { definitionText, definition: loadMachineDefinition(engine, entry.name, definitionText), loadProblem: undefined }),
    roleArn: roleArn ?? entry.roleArn,
    loggingConfiguration: logging ?? entry.loggingConfiguration,
    tracingConfiguration: tracing ?? entry.tracingConfiguration,
    updateDate: new Date(),
    revisionId: randomUUID(),
  };
  // Executions already running keep the definition they started with: the engine holds it, not the registry.
  registry.save(updated);
  return { updateDate: epochSeconds(updated.updateDate!), revisionId: updated.revisionId };
};

export const deleteStateMachine: SfnAction = ({ registry }, body) => {
  const arn = readStateMachineArn(body);
  const entry = registry.find(arn);
  // As AWS: deleting a machine that is not there succeeds.
  if (entry) {
    refuseBuiltIn(entry, 'deleted');
    registry.remove(arn);
  }
  return {};
};

export const describeStateMachine: SfnAction = ({ registry }, body) => {
  const arn = readStateMachineArn(body);
  // METADATA_ONLY only spares AWS decrypting a KMS-encrypted definition; nothing is encrypted here.
  optionalEnum(body, 'includedData', ['ALL_DATA', 'METADATA_ONLY'] as const);
  return describeStateMachineShape(findStateMachine(registry, arn));
};

export const listStateMachines: SfnAction = ({ registry, paginate }, body) => {
  const page = paginate(body, {
    items: registry.list(),
    keyOf: (entry) => [entry.creationDate.getTime(), entry.arn],
    descending: false,
    scope: ['ListStateMachines'],
  });
  return { stateMachines: page.items.map(stateMachineListItemShape), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
};

/** `state 'A': …` → `/States/A`; a problem inside a nested branch or none named has no location. */
function problemLocation(problem: string): string | undefined {
  const match = /^state '([^']+)'(?!\s*>)/.exec(problem);
  return match ? `/States/${match[1]}` : undefined;
}

export const validateStateMachineDefinition: SfnAction = (_ctx, body) => {
  const definitionText = readDefinitionText(body, true)!;
  optionalEnum(body, 'type', ['STANDARD', 'EXPRESS'] as const);
  optionalEnum(body, 'severity', ['ERROR', 'WARNING'] as const);
  const maxResults = optionalInteger(body, 'maxResults', { min: 0, max: 100 }) || 100;
  try {
    loadDefinition(definitionText);
    return { result: 'OK', diagnostics: [], truncated: false };
  } catch (err) {
    if (!(err instanceof DefinitionError)) throw err;
    const diagnostics = err.problems.map((message) => {
      const location = problemLocation(message);
      return {
        severity: 'ERROR',
        code: message.startsWith('not valid JSON') ? 'INVALID_JSON_DESCRIPTION' : 'SCHEMA_VALIDATION_FAILED',
        message,
        ...(location ? { location } : {}),
      };
    });
    return { result: 'FAIL', diagnostics: diagnostics.slice(0, maxResults), truncated: diagnostics.length > maxResults };
  }
};
