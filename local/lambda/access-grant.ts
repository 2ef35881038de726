// What a function's deployed IAM role allows on the data bucket and the progress table, read from the
// very policy infra deploys (infra/iam-policies.ts), for handlers/lib's local access check.
import type { FunctionSpec } from '../../handlers/catalog-types';
import type { LocalAccessGrant } from '../../handlers/lib/local-access';
import { functionPolicy } from '../../infra/iam-policies';
import { localArn } from '../local-arn';

// Stand-ins, only ever compared with themselves: the policy is built with them and read back here.
// S3 bucket ARNs carry no region or account, so the bucket's is written out.
const BUCKET_ARN = 'arn:aws:s3:::local-bucket';
const TABLE_ARN = localArn('dynamodb', 'local', 'table/local-table');
const LOG_GROUP_ARN = localArn('logs', 'local', 'log-group:local');

export function accessGrantFor(spec: FunctionSpec, bucket: string): LocalAccessGrant {
  const policy = functionPolicy({ spec, bucketArn: BUCKET_ARN, tableArn: TABLE_ARN, logGroupArn: LOG_GROUP_ARN });
  const grant: LocalAccessGrant = { functionName: spec.name, bucket, objectActions: {}, bucketActions: [], tableActions: [] };
  for (const statement of policy.Statement) {
    if (statement.Effect !== 'Allow') continue;
    for (const resource of statement.Resource ?? []) {
      for (const action of statement.Action) {
        if (resource === BUCKET_ARN) grant.bucketActions.push(action);
        else if (resource.startsWith(`${BUCKET_ARN}/`)) (grant.objectActions[action] ??= []).push(resource.slice(BUCKET_ARN.length + 1));
        else if (resource === TABLE_ARN) grant.tableActions.push(action);
      }
    }
  }
  return grant;
}
