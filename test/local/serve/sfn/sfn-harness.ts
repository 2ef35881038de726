// Test helpers for the Step Functions API: an engine with in-process task handlers, the registry and the
// API over it, and a way to catch the ApiError an action throws.
import { expect } from 'chai';
import type { Engine, EngineOptions } from '../../../../local/engine';
import { ApiError, type JsonProtocolApi } from '../../../../local/serve/api-types';
import { createSfnApi } from '../../../../local/serve/sfn/sfn-api';
import { createStateMachineRegistry, type StateMachineRegistry } from '../../../../local/serve/sfn/state-machines';
import { testEngine } from '../../engine/harness';

export const REGION = 'us-east-1';
export const ROLE = 'arn:aws:iam::000000000000:role/test-role';
export const machineArn = (name: string) => `arn:aws:states:${REGION}:000000000000:stateMachine:${name}`;
export const executionArn = (machine: string, name: string) => `arn:aws:states:${REGION}:000000000000:execution:${machine}:${name}`;

export const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
export const HANG = JSON.stringify({
  StartAt: 'H',
  States: { H: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Hang', End: true } },
});
export const FAIL = JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'on purpose' } } });

/** A machine whose one task runs machine `child` (states:startExecution.sync:2) and outputs the child's output. */
export function runsChild(child: string): string {
  return JSON.stringify({
    StartAt: 'Run',
    States: {
      Run: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Parameters: { StateMachineArn: machineArn(child), Input: {} },
        OutputPath: '$.Output',
        End: true,
      },
    },
  });
}

export interface SfnFixture {
  engine: Engine;
  registry: StateMachineRegistry;
  api: JsonProtocolApi;
  /** Calls an action and returns its response as a plain record. */
  call(action: string, body: Record<string, unknown>): Promise<Record<string, any>>;
  /** Creates a STANDARD machine with the test role; returns its ARN. */
  create(name: string, definition: string): Promise<string>;
  close(): Promise<void>;
}

export function sfnFixture(opts: { dataDir?: string; engine?: Partial<EngineOptions> } = {}): SfnFixture {
  const engine = testEngine(opts.engine);
  const registry = createStateMachineRegistry({ engine, region: REGION, dataDir: opts.dataDir });
  const api = createSfnApi({ engine, registry, region: REGION });
  const call = async (action: string, body: Record<string, unknown>) => (await api(action, body)) as Record<string, any>;
  return {
    engine,
    registry,
    api,
    call,
    create: async (name, definition) => (await call('CreateStateMachine', { name, definition, roleArn: ROLE })).stateMachineArn as string,
    close: () => engine.close(),
  };
}

/** The ApiError `promise` rejects with; fails the test when it resolves or throws anything else. */
export async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  let result: unknown;
  try {
    result = await promise;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error(`expected an ApiError, got a response: ${JSON.stringify(result)}`);
}

/** Polls DescribeExecution until the execution has closed; returns the description. */
export async function closed(fixture: SfnFixture, executionArn: string): Promise<Record<string, any>> {
  for (let i = 0; i < 500; i++) {
    const described = await fixture.call('DescribeExecution', { executionArn });
    if (described.status !== 'RUNNING') return described;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${executionArn} still running`);
}
