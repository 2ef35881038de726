// The context object `$$`: what an execution knows about itself, as AWS fills it in.

export interface ExecutionContextInfo {
  executionArn: string;
  name: string;
  input: unknown;
  startTime: string;
  roleArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  redriveCount?: number;
  /** The mock config test case the execution runs under (not part of `$$`). */
  testCase?: string;
}

export interface MapItemContext {
  Index: number;
  Value: unknown;
  Key?: string;
  Source?: string;
}

export function buildContext(
  exec: ExecutionContextInfo,
  state: { name: string; enteredTime: string; retryCount: number },
  mapItem?: MapItemContext,
  taskToken?: string,
): Record<string, unknown> {
  const context: Record<string, unknown> = {
    Execution: {
      Id: exec.executionArn,
      Input: exec.input,
      Name: exec.name,
      RoleArn: exec.roleArn,
      StartTime: exec.startTime,
      RedriveCount: exec.redriveCount ?? 0,
    },
    State: { EnteredTime: state.enteredTime, Name: state.name, RetryCount: state.retryCount },
    StateMachine: { Id: exec.stateMachineArn, Name: exec.stateMachineName },
  };
  if (mapItem) context.Map = { Item: mapItem };
  // Only a callback task (`.waitForTaskToken`) has a token, as in AWS.
  if (taskToken !== undefined) context.Task = { Token: taskToken };
  return context;
}
