// A hand-made ExecutionTrace for the pure tests of the timeline and the cost: every time and figure is
// chosen here, so expected values are worked out by hand.
import type { ExecutionTrace, MapItemTrace, TaskAttempt } from '../../../local/operate/execution-trace';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const at = (ms: number) => new Date(T0 + ms);

export function attempt(over: Partial<TaskAttempt> & Pick<TaskAttempt, 'stateName'>): TaskAttempt {
  return {
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:job',
    iteration: [],
    resourceType: 'lambda',
    resource: 'invoke',
    retry: 0,
    scheduledAt: at(0),
    startedAt: at(0),
    endedAt: at(1000),
    outcome: 'succeeded',
    ...over,
  };
}

export function item(n: number, startMs: number, stopMs: number, status: MapItemTrace['status'] = 'SUCCEEDED'): MapItemTrace {
  return { executionArn: `arn:aws:states:us-east-1:000000000000:execution:m/Fan:item-${n}`, name: `item-${n}`, status, startDate: at(startMs), stopDate: at(stopMs) };
}

export function trace(over: Partial<ExecutionTrace> = {}): ExecutionTrace {
  return {
    execution: {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:job',
      name: 'job',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
      status: 'SUCCEEDED',
      startDate: at(0),
      stopDate: at(10_000),
      redriveCount: 0,
    },
    stateMachineName: 'm',
    definition: '{}',
    tasks: [],
    mapRuns: [],
    startedExecutions: [],
    states: [],
    transitions: { stateEntries: 0, retries: 0, mapChildExecutions: 0, redrives: 0, total: 0 },
    readAt: at(20_000),
    ...over,
  };
}
