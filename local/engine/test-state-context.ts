// The `$$` a tested state sees: defaults shaped like AWS's (an Express-style execution of a throwaway machine),
// overridden field by field by the request's `context`. A state inside a Map gets `$$.Map.Item` for the first
// iteration, its value the test input, as AWS fills it in.
import { randomUUID } from 'node:crypto';
import { localArn } from '../local-arn';
import type { ExecutionContextInfo, MapItemContext } from './context-object';
import { stateMachineArn } from './execution';
import { TestStateRequestError } from './test-state-request';

const MACHINE_NAME = 'TestStateMachine';

export interface TestContext {
  info: ExecutionContextInfo;
  stateName: string;
  enteredTime: number;
  retryCount: number;
  mapItem?: MapItemContext;
  /** `$$.Task.Token` as the context gives it (a callback task's). */
  taskToken?: string;
}

export interface ContextDefaults {
  region: string;
  roleArn?: string;
  input: unknown;
  stateName: string;
  insideMap: boolean;
  retryCount: number;
}

type Section = Record<string, unknown>;

function section(context: Section, key: string): Section {
  const value = context[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`context.${key}`, 'an object');
  return value as Section;
}

function invalid(field: string, expected: string): TestStateRequestError {
  return new TestStateRequestError('ValidationException', `${field} must be ${expected}.`);
}

function text(s: Section, key: string, where: string, fallback: string): string {
  const value = s[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw invalid(`context.${where}.${key}`, 'a string');
  return value;
}

function count(s: Section, key: string, where: string, fallback: number): number {
  const value = s[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid(`context.${where}.${key}`, 'a non-negative integer');
  return value;
}

function timestamp(s: Section, key: string, where: string, fallback: number): number {
  const value = text(s, key, where, '');
  if (value === '') return fallback;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(`context.${where}.${key}`, 'an ISO 8601 timestamp');
  return ms;
}

export function testContext(context: Section | undefined, d: ContextDefaults): TestContext {
  const given = context ?? {};
  const execution = section(given, 'Execution');
  const machine = section(given, 'StateMachine');
  const state = section(given, 'State');
  const now = Date.now();
  const machineName = text(machine, 'Name', 'StateMachine', MACHINE_NAME);
  const name = text(execution, 'Name', 'Execution', randomUUID());
  const info: ExecutionContextInfo = {
    executionArn: text(execution, 'Id', 'Execution', localArn('states', d.region, `express:${machineName}:${name}`)),
    name,
    input: execution.Input === undefined ? d.input : execution.Input,
    startTime: new Date(timestamp(execution, 'StartTime', 'Execution', now)).toISOString(),
    roleArn: text(execution, 'RoleArn', 'Execution', d.roleArn ?? localArn('iam', '', `role/${MACHINE_NAME}-role`)),
    stateMachineArn: text(machine, 'Id', 'StateMachine', stateMachineArn(d.region, machineName)),
    stateMachineName: machineName,
    redriveCount: count(execution, 'RedriveCount', 'Execution', 0),
  };
  return {
    info,
    stateName: text(state, 'Name', 'State', d.stateName),
    enteredTime: timestamp(state, 'EnteredTime', 'State', now),
    retryCount: count(state, 'RetryCount', 'State', d.retryCount),
    mapItem: mapItemOf(given, d),
    taskToken: given.Task === undefined ? undefined : text(section(given, 'Task'), 'Token', 'Task', '') || undefined,
  };
}

function mapItemOf(context: Section, d: ContextDefaults): MapItemContext | undefined {
  const item = section(section(context, 'Map'), 'Item');
  if (Object.keys(item).length === 0) return d.insideMap ? { Index: 0, Value: d.input } : undefined;
  const mapItem: MapItemContext = { Index: count(item, 'Index', 'Map.Item', 0), Value: item.Value === undefined ? d.input : item.Value };
  if (item.Key !== undefined) mapItem.Key = text(item, 'Key', 'Map.Item', '');
  if (item.Source !== undefined) mapItem.Source = text(item, 'Source', 'Map.Item', '');
  return mapItem;
}
