// `arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem` against the local table.
// Parameters and results use DynamoDB's own JSON (typed attribute values), as the AWS integration does.
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { StatesError } from '../errors';
import type { DynamoAction } from './classify';

type Input = Record<string, unknown>;

function send(client: DynamoDBClient, action: DynamoAction, input: Input) {
  // The SDK validates shapes itself; its errors name the offending field.
  switch (action) {
    case 'getItem':
      return client.send(new GetItemCommand(input as never));
    case 'putItem':
      return client.send(new PutItemCommand(input as never));
    case 'updateItem':
      return client.send(new UpdateItemCommand(input as never));
    case 'deleteItem':
      return client.send(new DeleteItemCommand(input as never));
  }
}

export async function dynamoDbTask(client: DynamoDBClient, action: DynamoAction, parameters: unknown): Promise<unknown> {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new StatesError('States.Runtime', `dynamodb:${action} needs Parameters (TableName, Key or Item, …).`);
  }
  try {
    const { $metadata, ...result } = await send(client, action, parameters as Input);
    return {
      ...result,
      SdkHttpMetadata: { HttpStatusCode: $metadata.httpStatusCode ?? 200 },
      SdkResponseMetadata: { RequestId: $metadata.requestId ?? '' },
    };
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
    const status = e.$metadata?.httpStatusCode ?? 400;
    throw new StatesError(
      `DynamoDB.${e.name}`,
      `${e.message} (Service: DynamoDb, Status Code: ${status}, Request ID: ${e.$metadata?.requestId ?? ''})`,
    );
  }
}
