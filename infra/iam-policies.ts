// IAM policy documents as plain data: built here from the catalog and the ASL analysis, rendered to
// JSON by the constructs, and inspected directly by tests. Strings may carry Terraform tokens.
import type { FunctionSpec } from '../handlers/catalog-types';
import type { DefinitionUses } from './asl-definition';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: string | Record<string, string | string[]>;
  Action: string[];
  /** Absent only in trust policies. */
  Resource?: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** Whose requests a service may assume a role for: the confused-deputy guard of a trust policy. */
export interface TrustSource {
  /** The account the service must be acting for (`aws:SourceAccount`). */
  account: string;
  /** The resources it must be acting for (`aws:SourceArn`, ArnLike), where the service sets the key. */
  arnLike?: string;
}

/**
 * A service role's trust policy, assumable only on behalf of `source`, so another account's resource
 * cannot get the service to act with this role. Step Functions documents both keys for its roles
 * (`aws:SourceArn` = the state machine); Lambda documents `aws:SourceArn` only for policies where the
 * function is the target, so its execution roles check the account alone.
 */
export function assumeRolePolicy(service: 'lambda.amazonaws.com' | 'states.amazonaws.com', source: TrustSource): PolicyDocument {
  const condition: Record<string, Record<string, string>> = { StringEquals: { 'aws:SourceAccount': source.account } };
  if (source.arnLike !== undefined) condition.ArnLike = { 'aws:SourceArn': source.arnLike };
  return policyDocument([{ Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole'], Condition: condition }]);
}

// X-Ray has no resource-level permissions: AWS documents `*` as the only valid resource.
const XRAY_STATEMENT: PolicyStatement = {
  Sid: 'XRay',
  Effect: 'Allow',
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
  Resource: ['*'],
};

/**
 * Read: get and head objects. Write: put (single and multipart), the tag the lifecycle rule keys on, and
 * delete (e.g. merge removes a stale failure record): no more than overwriting, on a versioned bucket.
 */
export const S3_READ_ACTIONS = ['s3:GetObject'];
export const S3_WRITE_ACTIONS = ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload', 's3:DeleteObject'];
/** What handlers/lib/progress.ts calls: GetItem and Query to read, UpdateItem (its only write, always single-item). */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'];
export const TABLE_WRITE_ACTIONS = ['dynamodb:UpdateItem'];

export interface FunctionPolicyInput {
  spec: FunctionSpec;
  bucketArn: string;
  tableArn: string;
  logGroupArn: string;
}

/** Exactly what the catalog says the function needs, plus its own logs and traces. */
export function functionPolicy({ spec, bucketArn, tableArn, logGroupArn }: FunctionPolicyInput): PolicyDocument {
  const statements: PolicyStatement[] = [
    { Sid: 'OwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [`${logGroupArn}:*`] },
    XRAY_STATEMENT,
  ];
  const objects = (patterns: string[]) => patterns.map((p) => `${bucketArn}/${p}`);
  if (spec.s3.read.length > 0) {
    statements.push({ Sid: 'ReadCatalogPrefixes', Effect: 'Allow', Action: S3_READ_ACTIONS, Resource: objects(spec.s3.read) });
    // Without ListBucket, S3 answers a HEAD of a missing key with 403 instead of 404, and every
    // "is my output already there?" idempotency check would fail in AWS while passing locally.
    // It reveals key names in the data bucket only, never contents.
    statements.push({ Sid: 'TellMissingFromForbidden', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn] });
  }
  if (spec.s3.write.length > 0) {
    statements.push({ Sid: 'WriteCatalogPrefixes', Effect: 'Allow', Action: S3_WRITE_ACTIONS, Resource: objects(spec.s3.write) });
  }
  if (spec.table !== 'none') {
    const actions = spec.table === 'write' ? [...TABLE_WRITE_ACTIONS, ...TABLE_READ_ACTIONS] : TABLE_READ_ACTIONS;
    // The table itself only: it has no secondary indexes to grant.
    statements.push({ Sid: 'ProgressTable', Effect: 'Allow', Action: actions, Resource: [tableArn] });
  }
  return policyDocument(statements);
}

export interface StateMachinePolicyInput {
  uses: DefinitionUses;
  /** Deployed ARN of each catalog function the machine invokes, by catalog name. */
  functionArns: Readonly<Record<string, string>>;
  dataBucketName: string;
  dataBucketArn: string;
  tableArn: string;
  /** ARN of this state machine, built from its name so the role does not depend on the machine. */
  stateMachineArn: string;
  /** `arn:<partition>:states:<region>:<account>:execution:<name>` (no suffix). */
  executionArnBase: string;
  /** `arn:<partition>:events:<region>:<account>:rule/` for the managed rule `.sync` tasks need. */
  eventsRuleArnBase: string;
}

/** Key or prefix a run-time ItemReader/ResultWriter may use: everything a job owns. */
export const RUNTIME_CHOSEN_KEYS = 'jobs/*';

export function stateMachinePolicy(input: StateMachinePolicyInput): PolicyDocument {
  const { uses } = input;
  const statements: PolicyStatement[] = [];

  if (uses.functions.length > 0) {
    const arns = uses.functions.map((name) => {
      const arn = input.functionArns[name];
      if (!arn) throw new Error(`state machine invokes unknown function "${name}"`);
      return arn;
    });
    // `:*` covers the versions and aliases of the same functions, nothing else.
    statements.push({ Sid: 'InvokeOwnFunctions', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: arns.flatMap((a) => [a, `${a}:*`]) });
  }

  const bucketArnOf = (bucket: string | undefined) =>
    bucket === undefined || bucket === input.dataBucketName ? input.dataBucketArn : `arn:aws:s3:::${bucket}`;
  uses.itemReaders.forEach((reader, i) => {
    const bucketArn = bucketArnOf(reader.bucket);
    if (reader.api === 'getObject') {
      const key = reader.keyOrPrefix ?? RUNTIME_CHOSEN_KEYS;
      statements.push({ Sid: `ItemReader${i}`, Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${bucketArn}/${key}`] });
    } else {
      const prefix = reader.keyOrPrefix === undefined ? RUNTIME_CHOSEN_KEYS : `${reader.keyOrPrefix}*`;
      statements.push({
        Sid: `ItemReader${i}`,
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [bucketArn],
        Condition: { StringLike: { 's3:prefix': prefix } },
      });
    }
  });
  uses.resultWriters.forEach((writer, i) => {
    const prefix = writer.keyOrPrefix === undefined ? RUNTIME_CHOSEN_KEYS : `${writer.keyOrPrefix.replace(/\/?$/, '/')}*`;
    statements.push({
      Sid: `ResultWriter${i}`,
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      Resource: [`${bucketArnOf(writer.bucket)}/${prefix}`],
    });
  });

  if (uses.distributedMap) {
    statements.push({ Sid: 'StartOwnChildren', Effect: 'Allow', Action: ['states:StartExecution'], Resource: [input.stateMachineArn] });
    statements.push({
      Sid: 'ManageOwnChildren',
      Effect: 'Allow',
      Action: ['states:DescribeExecution', 'states:StopExecution'],
      Resource: [`${input.executionArnBase}/*`, `${input.executionArnBase}:*`],
    });
  }
  uses.startExecution.forEach((use, i) => {
    // A machine continuing in a fresh execution of itself: its own ARN, known from its name.
    const start = use.self ? { ...use, stateMachineArn: input.stateMachineArn } : use;
    if (!start.stateMachineArn || !start.stateMachineArn.includes(':stateMachine:')) {
      throw new Error('states:startExecution needs a literal "StateMachineArn" so its role can name the target');
    }
    statements.push({ Sid: `StartExecution${i}`, Effect: 'Allow', Action: ['states:StartExecution'], Resource: [start.stateMachineArn] });
    if (start.sync) {
      statements.push({
        Sid: `FollowExecution${i}`,
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: [`${start.stateMachineArn.replace(':stateMachine:', ':execution:')}:*`],
      });
      statements.push({
        Sid: `SyncEventsRule${i}`,
        Effect: 'Allow',
        Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        Resource: [`${input.eventsRuleArnBase}StepFunctionsGetEventsForStepFunctionsExecutionRule`],
      });
    }
  });

  if (uses.tableActions.length > 0) {
    statements.push({ Sid: 'ProgressTable', Effect: 'Allow', Action: [...uses.tableActions], Resource: [input.tableArn] });
  }

  // Vended log delivery is configured through account-level APIs that accept only `*` (AWS documents this).
  statements.push({
    Sid: 'LogDelivery',
    Effect: 'Allow',
    Action: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    Resource: ['*'],
  });
  statements.push(XRAY_STATEMENT);
  return policyDocument(statements);
}

/** Deny every request to the bucket that does not use TLS, whoever makes it. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return policyDocument([
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:*'],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ]);
}

export interface AlarmTopicPolicyInput {
  topicArn: string;
  /** The EventBridge rule routing failed executions to the topic. */
  eventRuleArn: string;
  /** ArnLike pattern of the stack's CloudWatch alarms: `arn:…:cloudwatch:<region>:<account>:alarm:<prefix>-<stack>-*`. */
  alarmArnPattern: string;
}

/**
 * The alarm topic's resource policy. A topic policy replaces SNS's default one, so it must name every
 * service that publishes: the failed-execution rule (EventBridge) and the stack's alarms (CloudWatch), each
 * only for its own resources. Their ARNs hold this account's id, so `aws:SourceArn` alone pins the account
 * too (the form SNS and CloudWatch document). The account's IAM principals need no statement: their
 * identity policies suffice within the account.
 */
export function alarmTopicPolicy(input: AlarmTopicPolicyInput): PolicyDocument {
  const publish = (Sid: string, service: string, operator: 'ArnEquals' | 'ArnLike', sourceArn: string): PolicyStatement => ({
    Sid,
    Effect: 'Allow',
    Principal: { Service: service },
    Action: ['sns:Publish'],
    Resource: [input.topicArn],
    Condition: { [operator]: { 'aws:SourceArn': sourceArn } },
  });
  return policyDocument([
    publish('FailedExecutionEvents', 'events.amazonaws.com', 'ArnEquals', input.eventRuleArn),
    publish('StackAlarms', 'cloudwatch.amazonaws.com', 'ArnLike', input.alarmArnPattern),
  ]);
}
