// `arn:aws:states:::states:startExecution[.sync[:2]]`: start another local execution of a registered machine.
import { StatesError } from '../errors';
import type { EngineServices } from '../run-context';

export interface StartExecutionHooks {
  /** A replayed task's child, started before: waited for again instead of starting another. */
  attachTo?: string;
  /** Called with StartExecution's response once the child has started (the task records TaskSubmitted). */
  onStarted?(response: { ExecutionArn: string; StartDate: string }): void;
}

export async function startExecutionTask(
  services: EngineServices,
  mode: 'async' | 'sync' | 'sync2',
  parameters: unknown,
  parentExecutionArn: string,
  signal: AbortSignal,
  hooks: StartExecutionHooks = {},
): Promise<unknown> {
  const params = (parameters ?? {}) as Record<string, unknown>;
  if (typeof params.StateMachineArn !== 'string') {
    throw new StatesError('States.Runtime', 'states:startExecution: the field "StateMachineArn" must be a string.');
  }
  const machine = services.findStateMachine(params.StateMachineArn);
  if (!machine) {
    throw new StatesError('StepFunctions.StateMachineDoesNotExistException', `State Machine Does Not Exist: '${params.StateMachineArn}'`);
  }
  let input: unknown = params.Input ?? {};
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input);
    } catch {
      throw new StatesError('StepFunctions.InvalidExecutionInputException', 'Invalid State Machine Execution Input: not valid JSON.');
    }
  }
  const child = (hooks.attachTo !== undefined ? services.attachExecution(hooks.attachTo) : undefined) ??
    services.startExecution(machine.definition, input, {
      name: typeof params.Name === 'string' ? params.Name : undefined,
      stateMachineName: machine.name,
      parentExecutionArn,
      awaited: mode !== 'async',
    });
  const startDate = child.history[0]?.timestamp ?? new Date();
  const started = { ExecutionArn: child.executionArn, StartDate: startDate.toISOString() };
  if (mode === 'async') return started;
  hooks.onStarted?.(started);

  // Stopping the parent stops the child, as AWS does for .sync integrations.
  const onAbort = () => void child.stop({ error: 'States.Aborted', cause: 'The parent execution was stopped.' });
  signal.addEventListener('abort', onAbort, { once: true });
  const result = await child.done.finally(() => signal.removeEventListener('abort', onAbort));
  const description = {
    ExecutionArn: child.executionArn,
    Input: mode === 'sync2' ? input : JSON.stringify(input),
    InputDetails: { Included: true },
    Name: child.name,
    Output: mode === 'sync2' ? result.output : JSON.stringify(result.output ?? null),
    OutputDetails: { Included: true },
    StartDate: result.startDate.getTime(),
    StateMachineArn: child.stateMachineArn,
    Status: result.status,
    StopDate: result.stopDate.getTime(),
  };
  if (result.status === 'SUCCEEDED') return description;
  throw new StatesError('States.TaskFailed', JSON.stringify({ ...description, Error: result.error, Cause: result.cause }));
}
