// The progress table as data, used by infra (Terraform) and the local services (CreateTable) alike,
// so the two can never disagree on keys or billing.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { progressTable } from './storage-layout';

export const progressTableDefinition = {
  hashKey: progressTable.partitionKey,
  rangeKey: progressTable.sortKey,
  /** On-demand: job traffic is bursty (a Distributed Map fan-out) and idle most of the time. */
  billingMode: 'PAY_PER_REQUEST',
  ttlAttribute: progressTable.ttlAttribute,
  pointInTimeRecovery: true,
  serverSideEncryption: true,
} as const;

/** The SDK CreateTable request for the progress table (TTL and PITR are separate API calls). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { hashKey, rangeKey, billingMode } = progressTableDefinition;
  return {
    TableName: tableName,
    BillingMode: billingMode,
    KeySchema: [
      { AttributeName: hashKey.name, KeyType: 'HASH' },
      { AttributeName: rangeKey.name, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: hashKey.name, AttributeType: hashKey.type },
      { AttributeName: rangeKey.name, AttributeType: rangeKey.type },
    ],
  };
}
