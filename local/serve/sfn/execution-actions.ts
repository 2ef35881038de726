// StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution, RedriveExecution and
// DescribeStateMachineForExecution, through the engine's ExecutionControl.
import type { ExecutionRecord } from '../../engine/control-types';
import { executionArn as executionArnOf } from '../../engine/execution';
import type { ExecutionStatus } from '../../engine';
import { ApiError } from '../api-types';
import { checkStatesArn, splitTestCase } from './arns';
import {
  checkName,
  optionalBoolean,
  optionalEnum,
  optionalString,
  parseJsonPayload,
  requiredString,
  type RequestBody,
} from './request-fields';
import type { SfnAction, SfnContext } from './sfn-context';
import { findStateMachine } from './state-machine-actions';
import { defaultRoleArn } from './state-machines';
import {
  describeExecutionShape,
  epochSeconds,
  executionListItemShape,
  historyEventShape,
  stateMachineForExecutionShape,
} from './wire-shapes';

const MAX_REMEMBERED_REDRIVES = 1000;
const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

export function readExecutionArn(body: RequestBody): string {
  return checkStatesArn(requiredString(body, 'executionArn', { min: 1, max: 2048 }), 'executionArn', 'execution');
}

export function findExecution({ engine }: SfnContext, arn: string): ExecutionRecord {
  const record = engine.control.describeExecution(arn);
  if (!record) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  return record;
}

/**
 * AWS's rule for a StartExecution whose name is taken (StartExecution API reference): when that execution is
 * still open (RUNNING) and the input is identical, the call succeeds and returns it without starting another;
 * when it is open with another input, or closed whatever the input, the call fails with ExecutionAlreadyExists.
 */
function startAgain(existing: ExecutionRecord, inputText: string, input: unknown): { executionArn: string; startDate: number } {
  const sameInput = existing.input === inputText || existing.input === JSON.stringify(input);
  if (existing.status !== 'RUNNING' || !sameInput) {
    const why = existing.status === 'RUNNING' ? 'is running with another input' : `is closed (${existing.status})`;
    throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}' ${why}`);
  }
  return { executionArn: existing.executionArn, startDate: epochSeconds(existing.startDate) };
}

export const startExecution: SfnAction = (ctx, body) => {
  const { engine, registry, region } = ctx;
  const { stateMachineArn, testCase } = splitTestCase(requiredString(body, 'stateMachineArn', { min: 1, max: 2048 }));
  checkStatesArn(stateMachineArn, 'stateMachineArn', 'stateMachine');
  const givenName = optionalString(body, 'name');
  const name = givenName === undefined ? undefined : checkName(givenName, 'execution');
  const inputText = optionalString(body, 'input') ?? '{}';
  const input = parseJsonPayload(inputText, 'input', 'InvalidExecutionInput');
  optionalString(body, 'traceHeader', { max: 256 });
  const machine = findStateMachine(registry, stateMachineArn);
  if (!machine.definition) {
    throw new ApiError('InvalidDefinition', `State machine '${machine.name}' was stored with a definition that no longer loads (update it): ${machine.loadProblem}`);
  }
  // No await from the check to the start: nothing else can take the name in between.
  if (name !== undefined) {
    const existing = engine.control.describeExecution(executionArnOf(region, machine.name, name));
    if (existing) return startAgain(existing, inputText, input);
  }
  const execution = engine.startExecution(machine.definition, input, { name, stateMachineName: machine.name, testCase, roleArn: machine.roleArn });
  const startDate = engine.control.describeExecution(execution.executionArn)?.startDate ?? new Date();
  return { executionArn: execution.executionArn, startDate: epochSeconds(startDate) };
};

export const describeExecution: SfnAction = (ctx, body) => {
  const arn = readExecutionArn(body);
  const included = optionalEnum(body, 'includedData', ['ALL_DATA', 'METADATA_ONLY'] as const);
  return describeExecutionShape(findExecution(ctx, arn), included === 'METADATA_ONLY');
};

export const listExecutions: SfnAction = (ctx, body) => {
  const { engine, registry } = ctx;
  const stateMachineArn = optionalString(body, 'stateMachineArn', { min: 1, max: 256 });
  const mapRunArn = optionalString(body, 'mapRunArn', { min: 1, max: 2000 });
  const statusFilter = optionalEnum(body, 'statusFilter', EXECUTION_STATUSES);
  const redriveFilter = optionalEnum(body, 'redriveFilter', ['REDRIVEN', 'NOT_REDRIVEN'] as const);
  if ((stateMachineArn === undefined) === (mapRunArn === undefined)) {
    throw new ApiError('ValidationException', "ListExecutions needs exactly one of 'stateMachineArn' and 'mapRunArn'");
  }
  if (stateMachineArn !== undefined) {
    findStateMachine(registry, checkStatesArn(stateMachineArn, 'stateMachineArn', 'stateMachine'));
    if (statusFilter === 'PENDING_REDRIVE') {
      throw new ApiError('ValidationException', "statusFilter PENDING_REDRIVE needs 'mapRunArn' (it lists a Map Run's child executions)");
    }
  } else if (!engine.control.describeMapRun(checkStatesArn(mapRunArn!, 'mapRunArn', 'mapRun'))) {
    throw new ApiError('ResourceNotFound', `Resource Not Found: '${mapRunArn}'`);
  }
  // The engine never leaves a child execution waiting for a redrive, so PENDING_REDRIVE matches none.
  const records =
    statusFilter === 'PENDING_REDRIVE'
      ? []
      : engine.control.listExecutions({
          stateMachineArn,
          mapRunArn,
          status: statusFilter as ExecutionStatus | undefined,
          redriven: redriveFilter === undefined ? undefined : redriveFilter === 'REDRIVEN',
        });
  const page = ctx.paginate(body, {
    items: records,
    keyOf: (r) => [r.startDate.getTime(), r.executionArn],
    descending: true,
    scope: ['ListExecutions', stateMachineArn, mapRunArn, statusFilter, redriveFilter],
  });
  return { executions: page.items.map(executionListItemShape), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
};

export const getExecutionHistory: SfnAction = async (ctx, body) => {
  const arn = readExecutionArn(body);
  const reverseOrder = optionalBoolean(body, 'reverseOrder') ?? false;
  const includeExecutionData = optionalBoolean(body, 'includeExecutionData') ?? true;
  const history = await ctx.engine.control.getExecutionHistory(arn);
  if (!history) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  const page = ctx.paginate(body, {
    items: history,
    keyOf: (event) => [event.id, ''],
    descending: reverseOrder,
    scope: ['GetExecutionHistory', arn, reverseOrder],
  });
  return {
    events: page.items.map((event) => historyEventShape(event, includeExecutionData)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
};

export const stopExecution: SfnAction = async (ctx, body) => {
  const arn = readExecutionArn(body);
  const error = optionalString(body, 'error', { max: 256 });
  const cause = optionalString(body, 'cause', { max: 32_768 });
  findExecution(ctx, arn);
  const record = await ctx.engine.control.stopExecution(arn, { error, cause });
  return { stopDate: epochSeconds(record.stopDate ?? new Date()) };
};

export const redriveExecution: SfnAction = async (ctx, body) => {
  const arn = readExecutionArn(body);
  const clientToken = optionalString(body, 'clientToken', { min: 1, max: 64 });
  findExecution(ctx, arn);
  // A retried request (same clientToken, which the SDKs generate per call) redrives once and answers alike.
  const retried = clientToken === undefined ? undefined : ctx.redrives.get(`${arn}\n${clientToken}`);
  if (retried !== undefined) return { redriveDate: retried };
  const redriveDate = epochSeconds(await ctx.engine.control.redriveExecution(arn));
  if (clientToken !== undefined) {
    if (ctx.redrives.size >= MAX_REMEMBERED_REDRIVES) ctx.redrives.delete(ctx.redrives.keys().next().value!);
    ctx.redrives.set(`${arn}\n${clientToken}`, redriveDate);
  }
  return { redriveDate };
};

export const describeStateMachineForExecution: SfnAction = (ctx, body) => {
  const arn = readExecutionArn(body);
  optionalEnum(body, 'includedData', ['ALL_DATA', 'METADATA_ONLY'] as const);
  const record = findExecution(ctx, arn);
  // A Distributed Map's children run `<machine>/<label>`: role and configuration are the machine's.
  const machineName = record.stateMachineArn.slice(record.stateMachineArn.lastIndexOf(':') + 1).split('/')[0]!;
  const machine = ctx.registry.find(ctx.registry.arnOf(machineName));
  const shape = stateMachineForExecutionShape(record, machine);
  return machine ? shape : { ...shape, roleArn: defaultRoleArn(machineName) };
};
