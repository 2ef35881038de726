// Which Task resources run locally, and how each is reached. Everything else is rejected at load time, unless a
// mock configuration answers for the state (see mock-config.ts).

export type ResourceKind =
  /** `callback`: `.waitForTaskToken`, the task waits for SendTaskSuccess/Failure after the call. */
  | { kind: 'lambda-invoke'; callback: boolean }
  | { kind: 'lambda-function'; functionName: string }
  | { kind: 'dynamodb'; action: DynamoAction }
  | { kind: 'start-execution'; mode: 'async' | 'sync' | 'sync2'; callback: boolean }
  | { kind: 'unsupported'; reason: string };

export type DynamoAction = 'getItem' | 'putItem' | 'updateItem' | 'deleteItem';

const LAMBDA_ARN = /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;
const DYNAMO = /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/;

export function classifyResource(resource: string): ResourceKind {
  if (resource === 'arn:aws:states:::lambda:invoke') return { kind: 'lambda-invoke', callback: false };
  if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') return { kind: 'lambda-invoke', callback: true };
  const lambda = LAMBDA_ARN.exec(resource);
  if (lambda) return { kind: 'lambda-function', functionName: lambda[1]! };
  const dynamo = DYNAMO.exec(resource);
  if (dynamo) return { kind: 'dynamodb', action: dynamo[1] as DynamoAction };
  if (resource === 'arn:aws:states:::states:startExecution') return { kind: 'start-execution', mode: 'async', callback: false };
  if (resource === 'arn:aws:states:::states:startExecution.waitForTaskToken') return { kind: 'start-execution', mode: 'async', callback: true };
  if (resource === 'arn:aws:states:::states:startExecution.sync') return { kind: 'start-execution', mode: 'sync', callback: false };
  if (resource === 'arn:aws:states:::states:startExecution.sync:2') return { kind: 'start-execution', mode: 'sync2', callback: false };
  return {
    kind: 'unsupported',
    reason:
      'resource is not supported locally (supported: arn:aws:states:::lambda:invoke[.waitForTaskToken], Lambda function ARNs, ' +
      'arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem, arn:aws:states:::states:startExecution[.sync[:2]|.waitForTaskToken])',
  };
}

/** Whether the task waits for its token to come back (SendTaskSuccess/Failure), whatever service it calls. */
export function isCallbackResource(resource: string): boolean {
  return resource.endsWith('.waitForTaskToken');
}

/**
 * The `resourceType` and `resource` AWS records in Task* events: `arn:aws:states:::lambda:invoke.waitForTaskToken`
 * → lambda / invoke.waitForTaskToken, `…:::aws-sdk:s3:getObject` → aws-sdk:s3 / getObject,
 * `…:::states:startExecution.sync:2` → states / startExecution.sync:2.
 */
export function resourceLabel(resource: string): { resourceType: string; resource: string } {
  const match = /^arn:[a-z-]+:states:[^:]*:[^:]*:(.+)$/.exec(resource);
  if (!match) return { resourceType: 'unknown', resource: 'unknown' };
  const suffix = match[1]!.endsWith('.sync:2') ? ':2' : '';
  const rest = suffix ? match[1]!.slice(0, -suffix.length) : match[1]!;
  const at = rest.lastIndexOf(':');
  return at < 0 ? { resourceType: rest, resource: rest } : { resourceType: rest.slice(0, at), resource: `${rest.slice(at + 1)}${suffix}` };
}

/** `my-fn`, `arn:aws:lambda:…:function:my-fn[:qualifier]` or `123456789012:function:my-fn` → `my-fn`. */
export function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  const at = parts.indexOf('function');
  return at >= 0 && parts[at + 1] ? parts[at + 1]! : nameOrArn;
}
