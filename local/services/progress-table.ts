// Creates the progress table from the shared definition (the one infra deploys) if it is missing.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../handlers/lib/progress-table-definition';

export interface DynamoTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export async function ensureProgressTable(target: DynamoTarget, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint: target.endpoint, region: target.region, credentials: target.credentials });
  try {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
    // dynalite flips CREATING → ACTIVE on a zero-delay timer; a few polls suffice.
    for (let i = 0; i < 100; i++) {
      const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (out.Table?.TableStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`Table ${tableName} did not become ACTIVE`);
  } finally {
    client.destroy();
  }
}
