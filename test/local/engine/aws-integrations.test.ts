// Distributed Map (ItemReader, ItemBatcher, ResultWriter, tolerated failures, child executions) and the
// DynamoDB task integrations, against the real local s3rver and dynalite.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createEngine, loadDefinition, type Engine, type Execution } from '../../../local/engine';
import { useLocalServices } from '../../support/services';
import { noLambda, testHandlers } from './harness';

const distributed = { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } };

describe('AWS integrations against local services', function () {
  this.timeout(60_000);
  const services = useLocalServices();
  let engine: Engine;
  let s3: S3Client;
  let children: Execution[];

  before(() => {
    const env = services().env;
    s3 = new S3Client({ region: services().region, endpoint: services().endpoints.s3, forcePathStyle: true, credentials: services().credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    engine = createEngine({ lambda: noLambda, env, taskHandlers: testHandlers(), timeScale: 0.001 });
    engine.onExecutionStarted((e, parent) => parent && children.push(e));
  });
  beforeEach(() => (children = []));
  after(async () => {
    await engine.close();
    s3.destroy();
  });

  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: services().bucket, Key: key, Body: body }));
  const get = async (key: string) => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: services().bucket, Key: key }))).Body!.transformToString()) as unknown;
  const runDef = async (definition: object, input: unknown) => {
    const execution = engine.startExecution(loadDefinition(definition), input);
    return { execution, result: await execution.done };
  };

  it('reads a JSON array with ItemReader and runs each item as a child execution with its own history', async () => {
    await put('jobs/j1/input/items.json', JSON.stringify([{ n: 1 }, { n: 2 }, { n: 3 }]));
    const { execution, result } = await runDef(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Bucket.$': '$.bucket', Key: 'jobs/j1/input/items.json' } },
            ItemSelector: { 'value.$': '$$.Map.Item.Value.n', 'index.$': '$$.Map.Item.Index' },
            ItemProcessor: { ...distributed, StartAt: 'D', States: { D: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'Double', 'Payload.$': '$.value' }, OutputPath: '$.Payload', End: true } } },
            End: true,
          },
        },
      },
      { bucket: services().bucket },
    );
    expect(result.status, `${result.error} ${result.cause}`).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal([2, 4, 6]);
    expect(execution.history.map((e) => e.type)).to.include.members(['MapRunStarted', 'MapRunSucceeded']);
    expect(children).to.have.length(3);
    const mapRunArn = execution.history.find((e) => e.type === 'MapRunStarted')!.mapRunStartedEventDetails!.mapRunArn as string;
    expect(mapRunArn).to.match(/^arn:aws:states:us-east-1:000000000000:mapRun:LocalStateMachine\/Fan:/);
    for (const child of children) {
      expect(child.executionArn).to.match(/:execution:LocalStateMachine\/Fan:/);
      expect(child.history.map((e) => e.type)).to.deep.equal(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    }
  });

  it('reads CSV with a header row, MaxItems, batches with ItemBatcher and writes results with ResultWriter', async () => {
    await put('jobs/j2/input/rows.csv', 'id,name\n1,"Smith, Jo"\n2,Ann\n3,Bob\n4,Cy\n5,Di\n');
    const { result } = await runDef(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', MaxItems: 4 }, Parameters: { Bucket: services().bucket, Key: 'jobs/j2/input/rows.csv' } },
            ItemBatcher: { MaxItemsPerBatch: 3, BatchInput: { 'job.$': '$.job' } },
            ItemProcessor: { ...distributed, StartAt: 'E', States: { E: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Echo', End: true } } },
            ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: services().bucket, Prefix: 'jobs/j2/work/results' } },
            End: true,
          },
        },
      },
      { job: 'j2' },
    );
    expect(result.status, `${result.error} ${result.cause}`).to.equal('SUCCEEDED');
    const output = result.output as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    const runId = output.MapRunArn.split(':').at(-1);
    expect(output.ResultWriterDetails).to.deep.equal({ Bucket: services().bucket, Key: `jobs/j2/work/results/${runId}/manifest.json` });
    const manifest = (await get(output.ResultWriterDetails.Key)) as { MapRunArn: string; ResultFiles: Record<string, { Key: string; Size: number }[]> };
    expect(manifest.MapRunArn).to.equal(output.MapRunArn);
    expect(manifest.ResultFiles.FAILED).to.deep.equal([]);
    expect(manifest.ResultFiles.SUCCEEDED).to.have.length(1);
    expect(manifest.ResultFiles.SUCCEEDED![0]!.Key).to.equal(`jobs/j2/work/results/${runId}/SUCCEEDED_0.json`);
    const succeeded = (await get(manifest.ResultFiles.SUCCEEDED![0]!.Key)) as { Status: string; Output: string; Input: string }[];
    expect(succeeded.map((s) => s.Status)).to.deep.equal(['SUCCEEDED', 'SUCCEEDED']);
    // Four rows (MaxItems), batches of at most three, values kept as strings, BatchInput on each batch.
    expect(succeeded.map((s) => JSON.parse(s.Output))).to.deep.equal([
      { BatchInput: { job: 'j2' }, Items: [{ id: '1', name: 'Smith, Jo' }, { id: '2', name: 'Ann' }, { id: '3', name: 'Bob' }] },
      { BatchInput: { job: 'j2' }, Items: [{ id: '4', name: 'Cy' }] },
    ]);
  });

  it('lists objects with s3:listObjectsV2', async () => {
    await put('jobs/j3/input/a.txt', 'aa');
    await put('jobs/j3/input/b.txt', 'bbbb');
    const { result } = await runDef(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: services().bucket, Prefix: 'jobs/j3/input/' } },
            ItemProcessor: { ...distributed, StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'key.$': '$.Key', 'size.$': '$.Size' }, End: true } } },
            End: true,
          },
        },
      },
      {},
    );
    expect(result.output).to.deep.equal([{ key: 'jobs/j3/input/a.txt', size: 2 }, { key: 'jobs/j3/input/b.txt', size: 4 }]);
  });

  it('tolerates failures up to ToleratedFailureCount, then fails with States.ExceedToleratedFailureThreshold and writes FAILED results', async () => {
    const definition = (tolerated: number) => ({
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ToleratedFailureCount: tolerated,
          ItemProcessor: { ...distributed, StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.bad', BooleanEquals: true, Next: 'F' }], Default: 'OK' }, F: { Type: 'Fail', Error: 'BadItem', Cause: 'item is bad' }, OK: { Type: 'Succeed' } } },
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: services().bucket, Prefix: `jobs/tol${tolerated}` } },
          End: true,
        },
      },
    });
    const items = [{ bad: false }, { bad: true }, { bad: true }, { bad: false }];
    const ok = await runDef(definition(2), { items });
    expect(ok.result.status).to.equal('SUCCEEDED');

    const failed = await runDef(definition(1), { items });
    expect(failed.result).to.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const mapRunArn = failed.execution.history.find((e) => e.type === 'MapRunStarted')!.mapRunStartedEventDetails!.mapRunArn as string;
    const manifest = (await get(`jobs/tol1/${mapRunArn.split(':').at(-1)}/manifest.json`)) as { ResultFiles: Record<string, { Key: string }[]> };
    const failures = (await get(manifest.ResultFiles.FAILED![0]!.Key)) as { Status: string; Error: string; Cause: string }[];
    expect(failures).to.have.length(2);
    expect(failures[0]).to.include({ Status: 'FAILED', Error: 'BadItem', Cause: 'item is bad' });
    // MaxConcurrency 1: the fourth item never started once the threshold was passed.
    expect(children).to.have.length(4 + 3);
  });

  it('an ItemReader item over 256 KiB is a failed item (States.DataLimitExceeded), within the tolerance', async () => {
    await put('jobs/big/items.json', JSON.stringify([{ n: 1 }, { big: 'x'.repeat(300_000) }, { n: 3 }]));
    const { result } = await runDef(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ToleratedFailureCount: 1,
            ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: services().bucket, Key: 'jobs/big/items.json' } },
            ItemProcessor: { ...distributed, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            ResultSelector: { 'first.$': '$[0]', 'errors.$': '$[*].Error', 'last.$': '$[2]' },
            End: true,
          },
        },
      },
      {},
    );
    expect(result.status, `${result.error} ${result.cause}`).to.equal('SUCCEEDED');
    expect(result.output).to.deep.equal({ first: { n: 1 }, errors: ['States.DataLimitExceeded'], last: { n: 3 } });
    expect(children).to.have.length(2);
  });

  it('a missing ItemReader object fails as States.ItemReaderFailed (S3 detail in Cause), caught, with MapRunFailed', async () => {
    const { execution, result } = await runDef(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: services().bucket, Key: 'jobs/none/missing.json' } },
            ItemProcessor: { ...distributed, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            Catch: [{ ErrorEquals: ['States.ItemReaderFailed'], Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      },
      {},
    );
    expect(result.status, `${result.error} ${result.cause}`).to.equal('SUCCEEDED');
    const output = result.output as { Error: string; Cause: string };
    expect(output.Error).to.equal('States.ItemReaderFailed');
    expect(output.Cause).to.contain('NoSuchKey').and.contain('jobs/none/missing.json');
    const failed = execution.history.find((e) => e.type === 'MapRunFailed');
    expect(failed?.mapRunFailedEventDetails).to.include({ error: 'States.ItemReaderFailed' });
    expect(children).to.have.length(0);
  });

  it('a ResultWriter bucket that does not exist fails as States.ResultWriterFailed (S3 detail in Cause), caught, with MapRunFailed', async () => {
    const { execution, result } = await runDef(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: { ...distributed, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'no-such-bucket', Prefix: 'out' } },
            Catch: [{ ErrorEquals: ['States.ResultWriterFailed'], Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      },
      { items: [1, 2] },
    );
    expect(result.status, `${result.error} ${result.cause}`).to.equal('SUCCEEDED');
    const output = result.output as { Error: string; Cause: string };
    expect(output.Error).to.equal('States.ResultWriterFailed');
    expect(output.Cause).to.contain('NoSuchBucket').and.contain('no-such-bucket');
    const t = execution.history.map((e) => e.type);
    expect(t).to.include('MapRunFailed');
    expect(t).to.not.include('MapRunSucceeded');
  });

  it('runs DynamoDB putItem, getItem, updateItem and deleteItem against the local table', async () => {
    const table = services().table;
    const key = { pk: { S: 'JOB#engine-test' }, sk: { S: 'JOB' } };
    const { result } = await runDef(
      {
        StartAt: 'Put',
        States: {
          Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: table, Item: { ...key, status: { S: 'RUNNING' } } }, ResultPath: null, Next: 'Update' },
          Update: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:updateItem', Parameters: { TableName: table, Key: key, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'DONE' } }, ReturnValues: 'UPDATED_NEW' }, ResultPath: '$.updated', Next: 'Get' },
          Get: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: table, Key: key }, ResultSelector: { 'status.$': '$.Item.status.S' }, ResultPath: '$.got', Next: 'Delete' },
          Delete: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:deleteItem', Parameters: { TableName: table, Key: key }, ResultPath: null, Next: 'GetAgain' },
          GetAgain: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: table, Key: key }, ResultPath: '$.after', Next: 'Gone?' },
          'Gone?': { Type: 'Choice', Choices: [{ Variable: '$.after.Item', IsPresent: true, Next: 'StillThere' }], Default: 'Gone' },
          StillThere: { Type: 'Fail', Error: 'StillThere' },
          Gone: { Type: 'Succeed' },
        },
      },
      {},
    );
    expect(result.status, `${result.error} ${result.cause}`).to.equal('SUCCEEDED');
    const out = result.output as { updated: { Attributes: unknown }; got: unknown };
    expect(out.updated.Attributes).to.deep.equal({ status: { S: 'DONE' } });
    expect(out.got).to.deep.equal({ status: 'DONE' });
  });

  it('surfaces a failed conditional write as DynamoDB.ConditionalCheckFailedException', async () => {
    const table = services().table;
    const { result } = await runDef(
      { StartAt: 'Put', States: { Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: table, Item: { pk: { S: 'X' }, sk: { S: 'Y' } }, ConditionExpression: 'attribute_exists(pk)' }, End: true } } },
      {},
    );
    expect(result).to.include({ status: 'FAILED', error: 'DynamoDB.ConditionalCheckFailedException' });
  });
});
