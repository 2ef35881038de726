// Which Task resources run locally, and how each is reached. Everything else is rejected at load time.

export type ResourceKind =
  | { kind: 'lambda-invoke' }
  | { kind: 'lambda-function'; functionName: string }
  | { kind: 'dynamodb'; action: DynamoAction }
  | { kind: 'start-execution'; mode: 'async' | 'sync' | 'sync2' }
  | { kind: 'unsupported'; reason: string };

export type DynamoAction = 'getItem' | 'putItem' | 'updateItem' | 'deleteItem';

const LAMBDA_ARN = /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;
const DYNAMO = /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/;

export function classifyResource(resource: string): ResourceKind {
  if (resource === 'arn:aws:states:::lambda:invoke') return { kind: 'lambda-invoke' };
  const lambda = LAMBDA_ARN.exec(resource);
  if (lambda) return { kind: 'lambda-function', functionName: lambda[1]! };
  const dynamo = DYNAMO.exec(resource);
  if (dynamo) return { kind: 'dynamodb', action: dynamo[1] as DynamoAction };
  if (resource === 'arn:aws:states:::states:startExecution') return { kind: 'start-execution', mode: 'async' };
  if (resource === 'arn:aws:states:::states:startExecution.sync') return { kind: 'start-execution', mode: 'sync' };
  if (resource === 'arn:aws:states:::states:startExecution.sync:2') return { kind: 'start-execution', mode: 'sync2' };
  if (resource.endsWith('.waitForTaskToken')) {
    return { kind: 'unsupported', reason: 'callback (.waitForTaskToken) tasks are not supported locally' };
  }
  return {
    kind: 'unsupported',
    reason:
      'resource is not supported locally (supported: arn:aws:states:::lambda:invoke, Lambda function ARNs, ' +
      'arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem, arn:aws:states:::states:startExecution[.sync[:2]])',
  };
}

/** `my-fn`, `arn:aws:lambda:…:function:my-fn[:qualifier]` or `123456789012:function:my-fn` → `my-fn`. */
export function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  const at = parts.indexOf('function');
  return at >= 0 && parts[at + 1] ? parts[at + 1]! : nameOrArn;
}
