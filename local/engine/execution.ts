// One execution: ExecutionStarted, the top-level branch, the machine-wide TimeoutSeconds, stop(), and the
// closing ExecutionSucceeded/Failed/TimedOut/Aborted event.
import { randomUUID } from 'node:crypto';
import { localArn } from '../local-arn';
import { StatesError, toStatesError } from './errors';
import { createHistory } from './history';
import { toJson } from './json-text';
import { MAX_PAYLOAD_BYTES } from './quotas';
import type { EngineServices, StartOptions, Thread } from './run-context';
import { runBranch } from './run-state';
import { newController, scaledMs, setLongTimeout } from './timers';
import type { Execution, ExecutionResult, ExecutionStatus, StateMachineDefinition } from './types';

export const DEFAULT_STATE_MACHINE_NAME = 'LocalStateMachine';
const NAME_PATTERN = /^[^\s?*<>{}[\]"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

export function stateMachineArn(region: string, name: string): string {
  return localArn('states', region, `stateMachine:${name}`);
}

export function executionArn(region: string, machineName: string, name: string): string {
  return localArn('states', region, `execution:${machineName}:${name}`);
}

export function startExecution(
  services: EngineServices,
  definition: StateMachineDefinition,
  input: unknown,
  opts: StartOptions = {},
): Execution {
  const name = opts.name ?? randomUUID();
  if (!NAME_PATTERN.test(name)) {
    throw new StatesError('StepFunctions.InvalidNameException', `Invalid Name: '${name}' (1-80 characters, no spaces, wildcards, brackets or special characters)`);
  }
  const inputJson = toJson(input);
  if (Buffer.byteLength(inputJson, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new StatesError('StepFunctions.InvalidExecutionInputException', `Execution input is ${Buffer.byteLength(inputJson, 'utf8')} bytes, above the maximum of ${MAX_PAYLOAD_BYTES} bytes.`);
  }
  const machineName = opts.stateMachineName ?? DEFAULT_STATE_MACHINE_NAME;
  const machineArn = stateMachineArn(services.region, machineName);
  const arn = executionArn(services.region, machineName, name);
  const history = createHistory(services.maxHistoryEvents);
  const startDate = new Date();
  const roleArn = localArn('iam', '', `role/${machineName.split('/')[0]}-role`);
  const controller = newController();
  let status: ExecutionStatus = 'RUNNING';

  const recordStart = () => history.add('ExecutionStarted', 0, { input: inputJson, inputDetails: { truncated: false }, roleArn });
  const thread: Thread = {
    run: {
      services,
      history,
      info: { executionArn: arn, name, input, startTime: startDate.toISOString(), roleArn, stateMachineArn: machineArn, stateMachineName: machineName },
    },
    signal: controller.signal,
    lastEventId: 1,
  };

  const stopReason = { kind: 'stop' as const, error: undefined as string | undefined, cause: undefined as string | undefined };
  const timeoutError = new StatesError('States.Timeout', `The execution did not finish within ${definition.TimeoutSeconds} seconds (TimeoutSeconds).`);
  const cancelTimer = definition.TimeoutSeconds
    ? setLongTimeout(() => controller.abort(timeoutError), scaledMs(definition.TimeoutSeconds, services.timeScale))
    : undefined;

  const finish = (result: Omit<ExecutionResult, 'startDate' | 'stopDate'>): ExecutionResult => {
    cancelTimer?.();
    status = result.status;
    return { ...result, startDate, stopDate: new Date() };
  };

  // Start on the next microtask, so a caller can subscribe before the first event, even ExecutionStarted.
  const done = Promise.resolve().then(() => {
    recordStart();
    return runBranch(thread, definition, input);
  }).then(
    (output): ExecutionResult => {
      if (controller.signal.aborted) throw controller.signal.reason;
      const outputJson = toJson(output);
      history.addFinal('ExecutionSucceeded', thread.lastEventId, { output: outputJson, outputDetails: { truncated: false } });
      return finish({ status: 'SUCCEEDED', output });
    },
  ).catch((caught: unknown): ExecutionResult => {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason === stopReason) {
      const details: Record<string, unknown> = {};
      if (stopReason.error !== undefined) details.error = stopReason.error;
      if (stopReason.cause !== undefined) details.cause = stopReason.cause;
      history.addFinal('ExecutionAborted', thread.lastEventId, details);
      return finish({ status: 'ABORTED', error: stopReason.error, cause: stopReason.cause });
    }
    if (reason === timeoutError) {
      history.addFinal('ExecutionTimedOut', thread.lastEventId, { error: timeoutError.error, cause: timeoutError.cause });
      return finish({ status: 'TIMED_OUT', error: timeoutError.error, cause: timeoutError.cause });
    }
    const err = toStatesError(caught);
    // Whatever is still running in sibling branches stops with the execution.
    controller.abort(err);
    history.addFinal('ExecutionFailed', thread.lastEventId, { error: err.error, cause: err.cause });
    return finish({ status: 'FAILED', error: err.error, cause: err.cause });
  });

  return {
    executionArn: arn,
    name,
    stateMachineArn: machineArn,
    status: () => status,
    history: history.events,
    subscribe: history.subscribe,
    done,
    async stop(stopOpts = {}) {
      if (status === 'RUNNING' && !controller.signal.aborted) {
        stopReason.error = stopOpts.error;
        stopReason.cause = stopOpts.cause;
        controller.abort(stopReason);
      }
      await done;
    },
  };
}
