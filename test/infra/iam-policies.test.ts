import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { createTableInput } from '../../handlers/lib/progress-table-definition';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { fixtureFunction } from '../support/fixture-function';
import type { DefinitionUses } from '../../infra/asl-definition';
import { alarmTopicPolicy, assumeRolePolicy, functionPolicy, stateMachinePolicy, tlsOnlyBucketPolicy, type PolicyStatement } from '../../infra/iam-policies';

const spec = (over: Partial<FunctionSpec>): FunctionSpec => fixtureFunction('F', over);
const bySid = (statements: PolicyStatement[]) => Object.fromEntries(statements.map((s) => [s.Sid, s]));
/** Compared whole (sorted), so an action added or dropped anywhere fails, not just a missing one. */
const actionsOf = (statement: PolicyStatement) => [...statement.Action].sort();
const noUses: DefinitionUses = { functions: [], distributedMap: false, startExecution: [], itemReaders: [], resultWriters: [], tableActions: [] };
const smInput = {
  functionArns: { A: 'arn:fn:A', B: 'arn:fn:B' },
  dataBucketName: 'data',
  dataBucketArn: 'arn:data-bucket',
  tableArn: 'arn:table',
  stateMachineArn: 'arn:states:stateMachine:sm',
  executionArnBase: 'arn:states:execution:sm',
  eventsRuleArnBase: 'arn:events:rule/',
};

describe('infra/iam-policies', () => {
  it('gives a function only its log group, X-Ray, and the catalog prefixes and table mode', () => {
    const doc = functionPolicy({ spec: spec({ s3: { read: ['jobs/*/input/*'], write: ['jobs/*/work/*'] }, table: 'read' }), bucketArn: 'arn:b', tableArn: 'arn:t', logGroupArn: 'arn:lg' });
    const s = bySid(doc.Statement);
    expect(s.OwnLogs.Resource).to.deep.equal(['arn:lg:*']);
    expect(actionsOf(s.ReadCatalogPrefixes)).to.deep.equal(['s3:GetObject']);
    expect(s.ReadCatalogPrefixes.Resource).to.deep.equal(['arn:b/jobs/*/input/*']);
    expect(actionsOf(s.TellMissingFromForbidden)).to.deep.equal(['s3:ListBucket']);
    expect(s.TellMissingFromForbidden.Resource).to.deep.equal(['arn:b']);
    // Put (single and multipart, so abort too), the lifecycle tag, and delete: merge removes a stale
    // verification-failed.json under its own write prefix.
    expect(actionsOf(s.WriteCatalogPrefixes)).to.deep.equal(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject', 's3:PutObjectTagging']);
    expect(s.WriteCatalogPrefixes.Resource).to.deep.equal(['arn:b/jobs/*/work/*']);
    expect(actionsOf(s.ProgressTable)).to.deep.equal(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(s.ProgressTable.Resource).to.deep.equal(['arn:t']);
  });

  it('grants on the table exactly the DynamoDB calls handlers/lib/progress.ts makes, reads only for "read"', () => {
    // The commands progress.ts sends, read from its source: a new call there must come with its grant here.
    const source = readFileSync(new URL('../../handlers/lib/progress.ts', import.meta.url), 'utf8');
    const imported = [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(?:lib-dynamodb|client-dynamodb)'/g)]
      .flatMap((m) => m[1]!.split(','))
      .map((name) => name.trim().replace(/^type\s+/, ''))
      .filter((name) => /Command$/.test(name) && !/Input$|Output$/.test(name));
    const sent = imported.filter((name) => new RegExp(`new ${name}\\(`).test(source));
    const ACTION: Record<string, string> = {
      GetCommand: 'dynamodb:GetItem', GetItemCommand: 'dynamodb:GetItem',
      QueryCommand: 'dynamodb:Query',
      UpdateCommand: 'dynamodb:UpdateItem', UpdateItemCommand: 'dynamodb:UpdateItem',
      PutCommand: 'dynamodb:PutItem', PutItemCommand: 'dynamodb:PutItem',
      DeleteCommand: 'dynamodb:DeleteItem', DeleteItemCommand: 'dynamodb:DeleteItem',
      BatchGetCommand: 'dynamodb:BatchGetItem', BatchWriteCommand: 'dynamodb:BatchWriteItem',
    };
    const used = sent.map((name) => ACTION[name] ?? `unmapped ${name}`);
    expect(used.sort()).to.deep.equal(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);

    const table = (mode: 'read' | 'write') =>
      bySid(functionPolicy({ spec: spec({ table: mode }), bucketArn: 'arn:b', tableArn: 'arn:t', logGroupArn: 'arn:lg' }).Statement).ProgressTable;
    expect(actionsOf(table('write'))).to.deep.equal([...new Set(used)].sort());
    expect(actionsOf(table('write'))).to.deep.equal(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(actionsOf(table('read'))).to.deep.equal(['dynamodb:GetItem', 'dynamodb:Query']);
    // No index ARN: the table has none (it would otherwise need `<table>/index/*`).
    const definition = createTableInput('t');
    expect(definition.GlobalSecondaryIndexes ?? []).to.deep.equal([]);
    expect(definition.LocalSecondaryIndexes ?? []).to.deep.equal([]);
    expect(table('write').Resource).to.deep.equal(['arn:t']);
  });

  it('omits S3 and table statements a function does not need', () => {
    const sids = functionPolicy({ spec: spec({}), bucketArn: 'arn:b', tableArn: 'arn:t', logGroupArn: 'arn:lg' }).Statement.map((s) => s.Sid);
    expect(sids).to.deep.equal(['OwnLogs', 'XRay']);
    const write = bySid(functionPolicy({ spec: spec({ table: 'write' }), bucketArn: 'arn:b', tableArn: 'arn:t', logGroupArn: 'arn:lg' }).Statement);
    expect(Object.keys(write)).to.deep.equal(['OwnLogs', 'XRay', 'ProgressTable']);
    expect(actionsOf(write.ProgressTable)).to.deep.equal(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  it('lets a state machine invoke exactly its functions (and their versions)', () => {
    const s = bySid(stateMachinePolicy({ ...smInput, uses: { ...noUses, functions: ['B'] } }).Statement);
    expect(s.InvokeOwnFunctions.Resource).to.deep.equal(['arn:fn:B', 'arn:fn:B:*']);
    expect(s.StartOwnChildren).to.equal(undefined);
    expect(() => stateMachinePolicy({ ...smInput, uses: { ...noUses, functions: ['C'] } })).to.throw(/unknown function "C"/);
  });

  it('scopes readers and writers to literal keys, or to jobs/* when chosen at run time', () => {
    const s = bySid(stateMachinePolicy({
      ...smInput,
      uses: {
        ...noUses,
        itemReaders: [{ state: 'M', api: 'getObject', bucket: 'data', keyOrPrefix: 'jobs/x/manifest.json' }, { state: 'N', api: 'listObjectsV2' }],
        resultWriters: [{ state: 'M', bucket: 'data', keyOrPrefix: 'jobs/results' }, { state: 'N' }],
      },
    }).Statement);
    expect(s.ItemReader0.Resource).to.deep.equal(['arn:data-bucket/jobs/x/manifest.json']);
    expect(s.ItemReader1).to.deep.include({ Action: ['s3:ListBucket'], Resource: ['arn:data-bucket'], Condition: { StringLike: { 's3:prefix': 'jobs/*' } } });
    expect(s.ResultWriter0.Resource).to.deep.equal(['arn:data-bucket/jobs/results/*']);
    expect(s.ResultWriter1.Resource).to.deep.equal(['arn:data-bucket/jobs/*']);
  });

  it('lets a Distributed Map start, describe and stop its own child executions only', () => {
    const s = bySid(stateMachinePolicy({ ...smInput, uses: { ...noUses, distributedMap: true } }).Statement);
    expect(s.StartOwnChildren).to.deep.include({ Action: ['states:StartExecution'], Resource: ['arn:states:stateMachine:sm'] });
    expect(s.ManageOwnChildren.Resource).to.deep.equal(['arn:states:execution:sm/*', 'arn:states:execution:sm:*']);
  });

  it('follows a .sync child through its executions and the managed events rule', () => {
    const child = 'arn:aws:states:us-east-1:1:stateMachine:child';
    const s = bySid(stateMachinePolicy({ ...smInput, uses: { ...noUses, startExecution: [{ stateMachineArn: child, sync: true }] } }).Statement);
    expect(s.StartExecution0.Resource).to.deep.equal([child]);
    expect(s.FollowExecution0.Resource).to.deep.equal(['arn:aws:states:us-east-1:1:execution:child:*']);
    expect(s.SyncEventsRule0.Resource).to.deep.equal(['arn:events:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule']);
    expect(() => stateMachinePolicy({ ...smInput, uses: { ...noUses, startExecution: [{ sync: false }] } })).to.throw(/literal "StateMachineArn"/);
  });

  it('lets a machine that continues in a fresh execution of itself start and follow only itself', () => {
    const s = bySid(stateMachinePolicy({ ...smInput, uses: { ...noUses, startExecution: [{ self: true, sync: true }] } }).Statement);
    expect(s.StartExecution0.Resource).to.deep.equal(['arn:states:stateMachine:sm']);
    expect(s.FollowExecution0.Resource).to.deep.equal(['arn:states:execution:sm:*']);
  });

  it('trusts exactly one service, acting for this account (and its own resources where the service says which)', () => {
    expect(assumeRolePolicy('states.amazonaws.com', { account: '111122223333', arnLike: 'arn:aws:states:us-east-1:111122223333:stateMachine:*' }).Statement).to.deep.equal([
      {
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Action: ['sts:AssumeRole'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111122223333' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:states:us-east-1:111122223333:stateMachine:*' },
        },
      },
    ]);
    expect(assumeRolePolicy('lambda.amazonaws.com', { account: '111122223333' }).Statement[0].Condition).to.deep.equal({
      StringEquals: { 'aws:SourceAccount': '111122223333' },
    });
  });

  it('lets only the failed-execution rule and the stack’s alarms publish to the alarm topic', () => {
    const doc = alarmTopicPolicy({ topicArn: 'arn:topic', eventRuleArn: 'arn:rule', alarmArnPattern: 'arn:cw:alarm:longhaul-dev-*' });
    expect(doc.Statement).to.deep.equal([
      { Sid: 'FailedExecutionEvents', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['sns:Publish'], Resource: ['arn:topic'], Condition: { ArnEquals: { 'aws:SourceArn': 'arn:rule' } } },
      { Sid: 'StackAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['sns:Publish'], Resource: ['arn:topic'], Condition: { ArnLike: { 'aws:SourceArn': 'arn:cw:alarm:longhaul-dev-*' } } },
    ]);
  });

  it('denies non-TLS bucket access', () => {
    expect(tlsOnlyBucketPolicy('arn:b').Statement[0]).to.deep.include({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });
});
