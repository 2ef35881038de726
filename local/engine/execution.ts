// One execution: ExecutionStarted, the top-level branch, the machine-wide TimeoutSeconds, stop(), and the
// closing ExecutionSucceeded/Failed/TimedOut/Aborted event.
import { randomUUID } from 'node:crypto';
import { localArn } from '../local-arn';
import { StatesError, toStatesError } from './errors';
import { createHistory } from './history';
import { toJson } from './json-text';
import { MAX_PAYLOAD_BYTES } from './quotas';
import { eventKey, type Replay } from './replay';
import { record, type EngineServices, type StartOptions, type Thread } from './run-context';
import { runBranch } from './run-state';
import { newController, scaledMs, setLongTimeout } from './timers';
import type { Execution, ExecutionResult, ExecutionStatus, HistoryEvent, StateMachineDefinition } from './types';
import { rootScope } from './variables';

export const DEFAULT_STATE_MACHINE_NAME = 'LocalStateMachine';
/** Names of executions and state machines, as AWS allows them. */
export const NAME_PATTERN = /^[^\s?*<>{}[\]"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

// ARNs are kept for every execution (the registry lists them): made flat (a template literal builds a tree of
// string pieces, which stays alive as long as the string does; V8 flattens a string when it is first indexed), and
// the ones every execution of a machine shares made once.
const machineArns = new Map<string, string>();
const roleArns = new Map<string, string>();

function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

function memo(cache: Map<string, string>, key: string, make: () => string): string {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= 10_000) cache.clear();
    cache.set(key, (value = flat(make())));
  }
  return value;
}

export function stateMachineArn(region: string, name: string): string {
  return memo(machineArns, `${region}|${name}`, () => localArn('states', region, `stateMachine:${name}`));
}

export function executionArn(region: string, machineName: string, name: string): string {
  return flat(localArn('states', region, `execution:${machineName}:${name}`));
}

/** The role an execution runs as when none is given: `role/<machine>-role`. */
function defaultRoleArn(machineName: string): string {
  return memo(roleArns, machineName, () => localArn('iam', '', `role/${machineName.split('/')[0]}-role`));
}

/** An execution that goes on from a recorded history: resumed after a crash, or redriven. */
export interface Continuation {
  recorded: { events: HistoryEvent[]; keys: string[] };
  replay: Replay;
  startDate: Date;
  /** Adds an ExecutionRedriven event: this continuation is a redrive. */
  redrive?: { count: number; date: Date };
  /** Where the execution's TimeoutSeconds counts from (its last redrive), when not its start. */
  timeBase?: Date;
}

export interface RunOptions extends StartOptions {
  /** Events carry thread keys (for the journal and replay). */
  keyed?: boolean;
  continued?: Continuation;
  redriveCount?: number;
}

export function startExecution(
  services: EngineServices,
  definition: StateMachineDefinition,
  input: unknown,
  opts: RunOptions = {},
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
  const continued = opts.continued;
  const history = createHistory(services.maxHistoryEvents, continued?.recorded);
  const startDate = continued?.startDate ?? new Date();
  const keyed = opts.keyed === true || continued !== undefined;
  const roleArn = opts.roleArn ?? defaultRoleArn(machineName);
  const controller = newController();
  let status: ExecutionStatus = 'RUNNING';

  const redriveCount = continued?.redrive?.count ?? opts.redriveCount ?? 0;
  const thread: Thread = {
    run: {
      services,
      history,
      info: { executionArn: arn, name, input, startTime: startDate.toISOString(), roleArn, stateMachineArn: machineArn, stateMachineName: machineName, redriveCount, testCase: opts.testCase },
      keyed,
      replay: continued?.replay,
      queryLanguage: definition.QueryLanguage ?? 'JSONPath',
    },
    signal: controller.signal,
    lastEventId: 0,
    key: '',
    seq: 0,
    // A replay rebuilds the variables by running the states again, as it rebuilds everything else.
    vars: rootScope(),
    env: undefined,
  };
  const recordStart = () => {
    record(thread, 'ExecutionStarted', { input: inputJson, inputDetails: { truncated: false }, roleArn });
    if (continued?.redrive) {
      // Not on any thread: the events that follow go on from where their threads left off.
      history.add('ExecutionRedriven', history.events.length, { redriveCount: continued.redrive.count }, '');
    }
  };
  const recordFinal = (type: string, details: Record<string, unknown>) =>
    history.addFinal(type, thread.lastEventId, details, keyed ? eventKey('', ++thread.seq) : undefined);

  const stopReason = { kind: 'stop' as const, error: undefined as string | undefined, cause: undefined as string | undefined };
  // Made only for a machine with a TimeoutSeconds (an error captures a stack: too dear for every Map item).
  const timeoutError = definition.TimeoutSeconds ? new StatesError('States.Timeout', `The execution did not finish within ${definition.TimeoutSeconds} seconds (TimeoutSeconds).`) : undefined;
  // A redriven execution gets its whole TimeoutSeconds again; a resumed one only what is left of it.
  const timerBase = (continued?.timeBase ?? startDate).getTime();
  const cancelTimer = definition.TimeoutSeconds
    ? setLongTimeout(() => controller.abort(timeoutError), Math.max(0, scaledMs(definition.TimeoutSeconds, services.timeScale) - (Date.now() - timerBase)))
    : undefined;

  const finish = (result: Omit<ExecutionResult, 'startDate' | 'stopDate'>): ExecutionResult => {
    cancelTimer?.();
    status = result.status;
    // Built field by field: a spread copy got a hidden class of its own per execution (a Map Run keeps 100,000 of these).
    const closed: ExecutionResult = { status: result.status, startDate, stopDate: new Date() };
    if ('output' in result) closed.output = result.output;
    if (result.error !== undefined) closed.error = result.error;
    if (result.cause !== undefined) closed.cause = result.cause;
    return closed;
  };

  // Start on the next microtask, so a caller can subscribe before the first event, even ExecutionStarted.
  const done = Promise.resolve().then(() => {
    recordStart();
    return runBranch(thread, definition, input);
  }).then(
    (output): ExecutionResult => {
      if (controller.signal.aborted) throw controller.signal.reason;
      const outputJson = toJson(output);
      recordFinal('ExecutionSucceeded', { output: outputJson, outputDetails: { truncated: false } });
      return finish({ status: 'SUCCEEDED', output });
    },
  ).catch((caught: unknown): ExecutionResult => {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason === stopReason) {
      const details: Record<string, unknown> = {};
      if (stopReason.error !== undefined) details.error = stopReason.error;
      if (stopReason.cause !== undefined) details.cause = stopReason.cause;
      recordFinal('ExecutionAborted', details);
      return finish({ status: 'ABORTED', error: stopReason.error, cause: stopReason.cause });
    }
    if (timeoutError && reason === timeoutError) {
      recordFinal('ExecutionTimedOut', { error: timeoutError.error, cause: timeoutError.cause });
      return finish({ status: 'TIMED_OUT', error: timeoutError.error, cause: timeoutError.cause });
    }
    const err = toStatesError(caught);
    // Whatever is still running in sibling branches stops with the execution.
    controller.abort(err);
    recordFinal('ExecutionFailed', { error: err.error, cause: err.cause });
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
