// `arn:aws:states:::states:startExecution[.sync[:2]]`: start another local execution of a registered machine.
import { StatesError } from '../errors';
import type { EngineServices } from '../run-context';

export async function startExecutionTask(
  services: EngineServices,
  mode: 'async' | 'sync' | 'sync2',
  parameters: unknown,
  parentExecutionArn: string,
  signal: AbortSignal,
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
  const child = services.startExecution(machine.definition, input, {
    name: typeof params.Name === 'string' ? params.Name : undefined,
    stateMachineName: machine.name,
    parentExecutionArn,
  });
  const startDate = child.history[0]?.timestamp ?? new Date();
  if (mode === 'async') return { ExecutionArn: child.executionArn, StartDate: startDate.toISOString() };

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
