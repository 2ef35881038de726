// The Step Functions JSON protocol behind `longhaul serve`: `X-Amz-Target: AWSStepFunctions.<Action>` and
// the request body in, the response body out, or an ApiError in AWS's terms.
import type { Engine } from '../../engine';
import { ApiError, type JsonProtocolApi } from '../api-types';
import { toApiError } from './api-errors';
import {
  describeExecution,
  describeStateMachineForExecution,
  getExecutionHistory,
  listExecutions,
  redriveExecution,
  startExecution,
  stopExecution,
} from './execution-actions';
import { describeMapRun, listMapRuns } from './map-run-actions';
import { createPaginator } from './pagination';
import type { SfnAction, SfnContext } from './sfn-context';
import {
  createStateMachine,
  deleteStateMachine,
  describeStateMachine,
  listStateMachines,
  updateStateMachine,
  validateStateMachineDefinition,
} from './state-machine-actions';
import type { StateMachineRegistry } from './state-machines';
import { sendTaskFailure, sendTaskHeartbeat, sendTaskSuccess } from './task-actions';
import { testState } from './test-state-action';

const ACTIONS: Record<string, SfnAction> = {
  CreateStateMachine: createStateMachine,
  UpdateStateMachine: updateStateMachine,
  DeleteStateMachine: deleteStateMachine,
  DescribeStateMachine: describeStateMachine,
  ListStateMachines: listStateMachines,
  ValidateStateMachineDefinition: validateStateMachineDefinition,
  StartExecution: startExecution,
  DescribeExecution: describeExecution,
  ListExecutions: listExecutions,
  GetExecutionHistory: getExecutionHistory,
  StopExecution: stopExecution,
  RedriveExecution: redriveExecution,
  DescribeStateMachineForExecution: describeStateMachineForExecution,
  ListMapRuns: listMapRuns,
  DescribeMapRun: describeMapRun,
  SendTaskSuccess: sendTaskSuccess,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
  TestState: testState,
};

export function createSfnApi(opts: { engine: Engine; registry: StateMachineRegistry; region: string }): JsonProtocolApi {
  const ctx: SfnContext = { ...opts, paginate: createPaginator(), redrives: new Map() };
  return async (action, body) => {
    const run = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (!run) throw new ApiError('UnknownOperationException', `Unknown operation: ${action} is not a Step Functions action longhaul serve supports`);
    try {
      return await run(ctx, body ?? {});
    } catch (err) {
      throw toApiError(err);
    }
  };
}
