// SDK clients for the local S3 and DynamoDB, built from the environment the engine was given
// (endpoints, credentials, region); created on first use so a machine without tasks for them needs no services.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsClients {
  s3(): S3Client;
  dynamodb(): DynamoDBClient;
  destroy(): void;
}

export function createAwsClients(env: Record<string, string>, region: string): AwsClients {
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
      : undefined;
  let s3: S3Client | undefined;
  let dynamodb: DynamoDBClient | undefined;
  return {
    s3: () =>
      (s3 ??= new S3Client({
        region,
        credentials,
        endpoint: env.AWS_ENDPOINT_URL_S3 || undefined,
        forcePathStyle: true,
        // s3rver stores aws-chunked framing as content otherwise (DESIGN.md, Known facts).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      })),
    dynamodb: () =>
      (dynamodb ??= new DynamoDBClient({ region, credentials, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB || undefined })),
    destroy() {
      s3?.destroy();
      dynamodb?.destroy();
    },
  };
}
