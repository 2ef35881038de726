// The ARNs a Step Functions request names: checked for shape (InvalidArn, as AWS answers a malformed one)
// before any lookup, so "malformed" and "does not exist" stay different errors.
import { ApiError } from '../api-types';

export type StatesResourceType = 'stateMachine' | 'execution' | 'mapRun';

const STATES_ARN = /^(arn:aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.+)$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]{1,512}$/;

// A Distributed Map's child executions live under `express:` when their ExecutionType is EXPRESS.
const ACCEPTED: Record<StatesResourceType, readonly string[]> = {
  stateMachine: ['stateMachine'],
  execution: ['execution', 'express'],
  mapRun: ['mapRun'],
};

/** Throws InvalidArn unless `arn` is a Step Functions ARN of `type` (a state machine, an execution, a Map Run). */
export function checkStatesArn(arn: string, field: string, type: StatesResourceType): string {
  const match = STATES_ARN.exec(arn);
  if (!match) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}' at '${field}' is not a Step Functions ARN (arn:aws:states:<region>:<account>:${type}:…)`);
  if (!ACCEPTED[type].includes(match[4]!)) {
    throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${match[4]}' (${field} must be a ${type} ARN)`);
  }
  return arn;
}

/** Throws InvalidArn unless `arn` is an IAM role ARN (`arn:aws:iam::<account>:role/<name>`). */
export function checkRoleArn(arn: string, field: string): string {
  if (!IAM_ROLE_ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: '${arn}' at '${field}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  return arn;
}

/**
 * The ARN of the state machine a Map Run runs: `…:mapRun:<machine>/<label>:<id>` →
 * `…:stateMachine:<machine>/<label>` (what ListMapRuns reports as the Map Run's stateMachineArn).
 */
export function mapRunStateMachineArn(mapRunArn: string): string {
  const match = STATES_ARN.exec(mapRunArn);
  if (!match || match[4] !== 'mapRun') return mapRunArn;
  const [, prefix, region, account, , resource] = match;
  return `${prefix}:states:${region}:${account}:stateMachine:${resource!.slice(0, resource!.lastIndexOf(':'))}`;
}

/** `<stateMachineArn>#<TestCase>` (Step Functions Local's mock test cases) → its parts. */
export function splitTestCase(stateMachineArn: string): { stateMachineArn: string; testCase?: string } {
  const hash = stateMachineArn.indexOf('#');
  if (hash < 0) return { stateMachineArn };
  const testCase = stateMachineArn.slice(hash + 1);
  if (!testCase) throw new ApiError('InvalidArn', `Invalid Arn: '${stateMachineArn}' names no test case after '#'`);
  return { stateMachineArn: stateMachineArn.slice(0, hash), testCase };
}
