// TestState (engine.testState): AWS's documented examples transcribed with their documented input and output, every
// status, each inspection level, the state types, and the request errors AWS names.
import { expect } from 'chai';
import { StatesError, type Engine } from '../../../local/engine';
import type { TestStateRequest, TestStateResponse } from '../../../local/engine/test-state-types';
import { testEngine } from './harness';

const ROLE = 'arn:aws:iam::123456789012:role/myRole';

// The pages print JSON text fields with varying whitespace (`{"number": 2}` beside `{"foo":"bar"}`), so JSON text
// fields are compared as the JSON they hold.
const JSON_TEXT_FIELDS = new Set([
  'output', 'input', 'afterInputPath', 'afterParameters', 'result', 'afterResultSelector', 'afterResultPath',
  'afterItemsPath', 'afterItemSelector', 'afterItemBatcher', 'variables',
]);

function parsed(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, JSON_TEXT_FIELDS.has(k) && typeof v === 'string' ? JSON.parse(v) : parsed(v)]));
}

let engine: Engine;

/** A request whose definition may be given as an object (sent as its JSON text). */
type Request = Omit<TestStateRequest, 'definition'> & { definition: string | object };

const test = (request: Request): Promise<TestStateResponse> =>
  engine.testState({ ...request, definition: typeof request.definition === 'string' ? request.definition : JSON.stringify(request.definition) });

async function refused(request: Request): Promise<StatesError> {
  try {
    await test(request);
  } catch (err) {
    expect(err).to.be.instanceOf(StatesError);
    return err as StatesError;
  }
  throw new Error('the request was accepted');
}

describe('engine.testState', () => {
  before(() => {
    engine = testEngine();
  });
  after(async () => {
    await engine.close();
  });

  describe('TestState: the developer guide, "Using TestState API to test a state" (test-state-isolation.html)', () => {
    it('Example 1: INFO inspectionLevel on a Choice state', async () => {
      const response = await test({
        definition: '{"Type": "Choice", "Choices": [{"Variable": "$.number", "NumericEquals": 1, "Next": "Equals 1"}, {"Variable": "$.number", "NumericEquals": 2, "Next": "Equals 2"}], "Default": "No Match"}',
        roleArn: ROLE,
        input: '{"number": 2}',
      });
      expect(response).to.deep.equal({ output: '{"number": 2}', nextState: 'Equals 2', status: 'SUCCEEDED' });
    });

    it('Example 2: DEBUG inspectionLevel on a Pass state with InputPath, Parameters, ResultPath and OutputPath', async () => {
      const response = await test({
        definition: '{"Type": "Pass", "InputPath": "$.payload", "Parameters": {"data": 1}, "ResultPath": "$.result", "OutputPath": "$.result.data", "Next": "Another State"}',
        roleArn: ROLE,
        input: '{"payload": {"foo": "bar"}}',
        inspectionLevel: 'DEBUG',
      });
      expect(parsed(response)).to.deep.equal(parsed({
        output: '1',
        inspectionData: {
          input: '{"payload": {"foo": "bar"}}',
          afterInputPath: '{"foo":"bar"}',
          afterParameters: '{"data":1}',
          afterResultSelector: '{"data":1}',
          afterResultPath: '{"payload":{"foo":"bar"},"result":{"data":1}}',
        },
        nextState: 'Another State',
        status: 'SUCCEEDED',
      }));
      // The raw input is echoed as written.
      expect(response.inspectionData?.input).to.equal('{"payload": {"foo": "bar"}}');
    });

    // The page elides the task's fields (`"Arguments": {...}`, a JSONata field); JSONPath Parameters stand in for them.
    const lambdaTask = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'MyFunction', 'Payload.$': '$' } };

    it('"Simulating retry attempts": the second retry of a mocked error is RETRIABLE after 2 × 2.0^1 = 4 s', async () => {
      const response = await test({
        definition: { ...lambdaTask, Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2.0 }], End: true },
        input: '{"data": "value"}',
        stateConfiguration: { retrierRetryCount: 1 },
        mock: { errorOutput: { error: 'Lambda.ServiceException', cause: 'Service error' } },
        inspectionLevel: 'DEBUG',
      });
      // Documented: { "status": "RETRIABLE", "inspectionData": { "errorDetails": { "retryBackoffIntervalSeconds": 4, "retryIndex": 0 } } }
      expect(response.status).to.equal('RETRIABLE');
      expect(response.inspectionData?.errorDetails).to.deep.equal({ retryBackoffIntervalSeconds: 4, retryIndex: 0 });
      expect([response.error, response.cause, response.output, response.nextState]).to.deep.equal(['Lambda.ServiceException', 'Service error', undefined, undefined]);
    });

    it('"Testing catch handlers": a mocked error caught by Catch[0], with ResultPath $.error', async () => {
      const response = await test({
        definition: { ...lambdaTask, Catch: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], ResultPath: '$.error', Next: 'HandleThrottling' }], Next: 'Success' },
        input: '{"data": "value"}',
        mock: { errorOutput: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } },
        inspectionLevel: 'DEBUG',
      });
      const documented = {
        status: 'CAUGHT_ERROR',
        nextState: 'HandleThrottling',
        error: 'Lambda.TooManyRequestsException',
        cause: 'Rate exceeded',
        output: '{"data": "value", "error": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}}',
        inspectionData: { errorDetails: { catchIndex: 0 } },
      };
      const { inspectionData, ...rest } = parsed(response) as TestStateResponse;
      const { inspectionData: documentedInspection, ...documentedRest } = parsed(documented) as TestStateResponse;
      expect(rest).to.deep.equal(documentedRest);
      // The page prints only errorDetails; the steps before the error (input, InputPath, Parameters) come with it.
      expect(inspectionData).to.deep.include(documentedInspection);
      expect(inspectionData).to.have.keys('input', 'afterInputPath', 'afterParameters', 'errorDetails');
    });

    it('"Testing a Map state": ItemsPath and ItemSelector run on the input, the mock stands for the iterations', async () => {
      const response = await test({
        definition: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'ProcessItem', States: { ProcessItem: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
          End: true,
        },
        input: '{"items": [1, 2, 3, 4, 5]}',
        mock: { result: '[10, 20, 30, 40, 50]' },
        inspectionLevel: 'DEBUG',
      });
      // The page shows no response; these follow from the definition.
      expect(parsed(response)).to.deep.equal({
        output: [10, 20, 30, 40, 50],
        status: 'SUCCEEDED',
        inspectionData: {
          input: { items: [1, 2, 3, 4, 5] },
          afterInputPath: { items: [1, 2, 3, 4, 5] },
          afterItemsPath: [1, 2, 3, 4, 5],
          afterItemSelector: [0, 1, 2, 3, 4].map((i) => ({ value: i + 1, index: i })),
          maxConcurrency: 0,
          result: [10, 20, 30, 40, 50],
          afterResultSelector: [10, 20, 30, 40, 50],
          afterResultPath: [10, 20, 30, 40, 50],
        },
      });
    });

    it('"Using context field": the given Context object is what $$ reads', async () => {
      const response = await test({
        definition: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          // The page writes these as JSONata Arguments holding JSONPath `.$` keys; as Parameters they run here.
          Parameters: { FunctionName: 'MyFunction', Payload: { 'executionId.$': '$$.Execution.Id', 'stateName.$': '$$.State.Name', 'enteredTime.$': '$$.State.EnteredTime' } },
          End: true,
        },
        input: '{"data": "value"}',
        context: JSON.stringify({
          Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:MyStateMachine:test-exec-123', Name: 'test-exec-123', StartTime: '2024-01-01T10:00:00.000Z' },
          State: { Name: 'ProcessData', EnteredTime: '2024-01-01T10:00:05.000Z' },
        }),
        mock: { result: '{"status": "success"}' },
        inspectionLevel: 'DEBUG',
      });
      expect(response.status).to.equal('SUCCEEDED');
      expect(JSON.parse(response.output!)).to.deep.equal({ status: 'success' });
      expect(JSON.parse(response.inspectionData!.afterParameters!)).to.deep.equal({
        FunctionName: 'MyFunction',
        Payload: { executionId: 'arn:aws:states:us-east-1:123456789012:execution:MyStateMachine:test-exec-123', stateName: 'ProcessData', enteredTime: '2024-01-01T10:00:05.000Z' },
      });
    });
  });

  describe('TestState: the AWS News Blog launch post, "Accelerate workflow development with enhanced local testing in AWS Step Functions" (2025-11-19)', () => {
    const processOrder = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'process-order' }, End: true };

    it('Scenario 1: mock successful results', async () => {
      const response = await test({ definition: processOrder, mock: { result: '{"orderId":"12345","status":"processed"}' }, inspectionLevel: 'DEBUG' });
      expect(response).to.deep.equal({
        output: '{"orderId":"12345","status":"processed"}',
        inspectionData: {
          input: '{}',
          afterInputPath: '{}',
          afterParameters: '{"FunctionName":"process-order"}',
          result: '{"orderId":"12345","status":"processed"}',
          afterResultSelector: '{"orderId":"12345","status":"processed"}',
          afterResultPath: '{"orderId":"12345","status":"processed"}',
        },
        status: 'SUCCEEDED',
      });
    });

    it('Scenario 2: mock error conditions', async () => {
      const response = await test({ definition: processOrder, mock: { errorOutput: { error: 'Lambda.ServiceException', cause: 'Function failed' } }, inspectionLevel: 'DEBUG' });
      expect(response).to.deep.equal({
        error: 'Lambda.ServiceException',
        cause: 'Function failed',
        inspectionData: { input: '{}', afterInputPath: '{}', afterParameters: '{"FunctionName":"process-order"}' },
        status: 'FAILED',
      });
    });

    it('Scenario 3: a Distributed Map state', async () => {
      const response = await test({
        definition: {
          Type: 'Map',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'ProcessItem',
            States: { ProcessItem: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'process-item' }, End: true } },
          },
          End: true,
        },
        input: '[{"itemId":1},{"itemId":2}]',
        mock: { result: '[{"itemId":1,"status":"processed"},{"itemId":2,"status":"processed"}]' },
        inspectionLevel: 'DEBUG',
      });
      const processed = '[{"itemId":1,"status":"processed"},{"itemId":2,"status":"processed"}]';
      const { inspectionData, ...rest } = response;
      expect(rest).to.deep.equal({ output: processed, status: 'SUCCEEDED' });
      expect(inspectionData).to.deep.include({
        input: '[{"itemId":1},{"itemId":2}]',
        afterInputPath: '[{"itemId":1},{"itemId":2}]',
        afterResultSelector: processed,
        afterResultPath: processed,
      });
      // The post prints a subset; AWS's recorded Map responses also carry maxConcurrency.
      expect(inspectionData).to.deep.include({ afterItemsPath: '[{"itemId":1},{"itemId":2}]', maxConcurrency: 0, result: processed });
    });

    it('Scenario 4: a Parallel state', async () => {
      const response = await test({
        definition: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Branch1', States: { Branch1: { Type: 'Pass', End: true } } },
            { StartAt: 'Branch2', States: { Branch2: { Type: 'Pass', End: true } } },
          ],
          End: true,
        },
        mock: { result: '[{"branch1":"data1"},{"branch2":"data2"}]' },
        inspectionLevel: 'DEBUG',
      });
      const results = '[{"branch1":"data1"},{"branch2":"data2"}]';
      const { inspectionData, ...rest } = response;
      expect(rest).to.deep.equal({ output: results, status: 'SUCCEEDED' });
      expect(inspectionData).to.deep.include({ input: '{}', afterResultSelector: results, afterResultPath: results });
      // The post leaves out the input steps and the raw result, which a Parallel has as a Task does.
      expect(inspectionData).to.deep.include({ afterInputPath: '{}', afterParameters: '{}', result: results });
    });

    it('Scenario 5: a state with input data', async () => {
      const response = await test({
        definition: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'validate-order' }, End: true },
        input: '{"orderId":"12345","amount":99.99}',
        mock: { result: '{"orderId":"12345","validated":true}' },
        inspectionLevel: 'DEBUG',
      });
      expect(response).to.deep.equal({
        output: '{"orderId":"12345","validated":true}',
        inspectionData: {
          input: '{"orderId":"12345","amount":99.99}',
          afterInputPath: '{"orderId":"12345","amount":99.99}',
          afterParameters: '{"FunctionName":"validate-order"}',
          result: '{"orderId":"12345","validated":true}',
          afterResultSelector: '{"orderId":"12345","validated":true}',
          afterResultPath: '{"orderId":"12345","validated":true}',
        },
        status: 'SUCCEEDED',
      });
    });
  });

  describe('TestState statuses', () => {
    const echo = (extra: object = {}) => ({ Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Echo', ...extra });
    const failing = (extra: object = {}) => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'Fail', Payload: { errorType: 'Boom', message: 'it broke' } },
      ...extra,
    });

    it('SUCCEEDED: a real task runs through the engine, with its next state', async () => {
      const response = await test({ definition: echo({ ResultPath: '$.echoed', Next: 'After' }), roleArn: ROLE, input: '{"a":1}' });
      expect(response).to.deep.equal({ status: 'SUCCEEDED', output: '{"a":1,"echoed":{"a":1}}', nextState: 'After' });
    });

    it("FAILED: a task's error as Step Functions reports it, with no Retry or Catch for it", async () => {
      const response = await test({ definition: failing({ Retry: [{ ErrorEquals: ['Other'] }], End: true }), roleArn: ROLE });
      expect(response).to.deep.equal({ status: 'FAILED', error: 'Boom', cause: JSON.stringify({ errorType: 'Boom', errorMessage: 'it broke' }) });
    });

    it('RETRIABLE: the first matching retrier, its first back-off (IntervalSeconds), not the later ones', async () => {
      const response = await test({
        definition: failing({ Retry: [{ ErrorEquals: ['Other'] }, { ErrorEquals: ['States.ALL'], IntervalSeconds: 3 }], End: true }),
        roleArn: ROLE,
        inspectionLevel: 'DEBUG',
      });
      expect(response.status).to.equal('RETRIABLE');
      expect(response.error).to.equal('Boom');
      expect(response.inspectionData?.errorDetails).to.deep.equal({ retryIndex: 1, retryBackoffIntervalSeconds: 3 });
    });

    it('RETRIABLE: MaxDelaySeconds caps the back-off', async () => {
      const response = await test({
        definition: failing({ Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 10, BackoffRate: 3, MaxAttempts: 10, MaxDelaySeconds: 60 }], End: true }),
        roleArn: ROLE,
        stateConfiguration: { retrierRetryCount: 2 },
        inspectionLevel: 'DEBUG',
      });
      expect(response.inspectionData?.errorDetails).to.deep.equal({ retryIndex: 0, retryBackoffIntervalSeconds: 60 });
    });

    it('FAILED once the retrier has used its MaxAttempts and no catcher matches (retryIndex still reported)', async () => {
      const response = await test({
        definition: failing({ Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2 }], End: true }),
        roleArn: ROLE,
        stateConfiguration: { retrierRetryCount: 2 },
        inspectionLevel: 'DEBUG',
      });
      expect(response.status).to.equal('FAILED');
      expect(response.inspectionData?.errorDetails).to.deep.equal({ retryIndex: 0 });
    });

    it('CAUGHT_ERROR once retries are exhausted and a catcher matches', async () => {
      const response = await test({
        definition: failing({ Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2 }], Catch: [{ ErrorEquals: ['Other'], Next: 'No' }, { ErrorEquals: ['States.TaskFailed'], Next: 'Recover', ResultPath: '$.err' }], End: true }),
        roleArn: ROLE,
        input: '{"keep":true}',
        stateConfiguration: { retrierRetryCount: 2 },
        inspectionLevel: 'DEBUG',
      });
      expect(response.status).to.equal('CAUGHT_ERROR');
      expect(response.nextState).to.equal('Recover');
      expect(JSON.parse(response.output!)).to.deep.equal({ keep: true, err: { Error: 'Boom', Cause: JSON.stringify({ errorType: 'Boom', errorMessage: 'it broke' }) } });
      expect(response.inspectionData?.errorDetails).to.deep.equal({ retryIndex: 0, catchIndex: 1 });
    });

    it('FAILED: States.Runtime is neither retried nor caught', async () => {
      const response = await test({
        definition: echo({ InputPath: '$.missing', Retry: [{ ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }], End: true }),
        roleArn: ROLE,
        input: '{"a":1}',
      });
      expect(response.status).to.equal('FAILED');
      expect(response.error).to.equal('States.Runtime');
      expect(response.cause).to.contain('$.missing');
    });

    it("FAILED: a Task's TimeoutSeconds is States.Timeout, which a retrier can match", async () => {
      const hang = { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Hang', TimeoutSeconds: 5, End: true };
      expect(await test({ definition: hang, roleArn: ROLE })).to.deep.include({ status: 'FAILED', error: 'States.Timeout' });
      const retried = await test({ definition: { ...hang, Retry: [{ ErrorEquals: ['States.Timeout'] }] }, roleArn: ROLE });
      expect(retried).to.deep.include({ status: 'RETRIABLE', error: 'States.Timeout' });
    });

    it('FAILED: a test running past five minutes stops with States.Timeout, whatever Retry and Catch say', async () => {
      // The harness runs time at 1/1000: five minutes take 300 ms.
      const started = Date.now();
      const response = await test({
        definition: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Hang', Retry: [{ ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }], End: true },
        roleArn: ROLE,
      });
      expect(response).to.deep.include({ status: 'FAILED', error: 'States.Timeout' });
      expect(Date.now() - started).to.be.within(250, 5000);
    });
  });

  describe('TestState inspection levels', () => {
    const definition = { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Echo', Parameters: { 'v.$': '$.x' }, ResultSelector: { 'got.$': '$.v' }, ResultPath: '$.r', OutputPath: '$.r', Next: 'N' };

    it('INFO: the output and next state, no inspectionData', async () => {
      expect(await test({ definition, roleArn: ROLE, input: '{"x":7}', inspectionLevel: 'INFO' })).to.deep.equal({ status: 'SUCCEEDED', output: '{"got":7}', nextState: 'N' });
    });

    it('DEBUG: the data after every step', async () => {
      const response = await test({ definition, roleArn: ROLE, input: '{"x":7}', inspectionLevel: 'DEBUG' });
      expect(response.inspectionData).to.deep.equal({
        input: '{"x":7}',
        afterInputPath: '{"x":7}',
        afterParameters: '{"v":7}',
        result: '{"v":7}',
        afterResultSelector: '{"got":7}',
        afterResultPath: '{"x":7,"r":{"got":7}}',
      });
    });

    it('TRACE: for a state that makes no HTTP call, what DEBUG shows (as AWS answers)', async () => {
      const debug = await test({ definition, roleArn: ROLE, input: '{"x":7}', inspectionLevel: 'DEBUG' });
      const trace = await test({ definition, roleArn: ROLE, input: '{"x":7}', inspectionLevel: 'TRACE' });
      expect(trace).to.deep.equal(debug);
    });

    it('DEBUG on a failure: the steps up to the failure', async () => {
      const response = await test({
        definition: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', InputPath: '$.p', Parameters: { FunctionName: 'Fail', 'Payload.$': '$' }, End: true },
        roleArn: ROLE,
        input: '{"p":{"errorType":"Nope"}}',
        inspectionLevel: 'DEBUG',
      });
      expect(response.status).to.equal('FAILED');
      expect(response.inspectionData).to.deep.equal({
        input: '{"p":{"errorType":"Nope"}}',
        afterInputPath: '{"errorType":"Nope"}',
        afterParameters: '{"FunctionName":"Fail","Payload":{"errorType":"Nope"}}',
      });
    });

    it('a Pass with Result shows its result and no input steps; without, the Parameters output as its result', async () => {
      const withResult = await test({ definition: { Type: 'Pass', InputPath: '$.a', Result: { r: 1 }, ResultPath: '$.m', End: true }, input: '{"a":{"b":2}}', inspectionLevel: 'DEBUG' });
      expect(withResult.inspectionData).to.deep.equal({ input: '{"a":{"b":2}}', result: '{"r":1}', afterResultSelector: '{"r":1}', afterResultPath: '{"a":{"b":2},"m":{"r":1}}' });
      const withoutResult = await test({ definition: { Type: 'Pass', End: true }, input: '{"Value":"HelloWorld"}', inspectionLevel: 'DEBUG' });
      const same = '{"Value":"HelloWorld"}';
      expect(withoutResult.inspectionData).to.deep.equal({ input: same, afterInputPath: same, afterParameters: same, afterResultSelector: same, afterResultPath: same });
    });

    it('variables given are shown back', async () => {
      const response = await test({ definition: { Type: 'Succeed' }, variables: '{"limit": 10}', inspectionLevel: 'DEBUG' });
      expect(response.inspectionData).to.deep.equal({ input: '{}', afterInputPath: '{}', variables: '{"limit":10}' });
    });
  });

  describe('TestState state types', () => {
    it('Wait: reports its next state without waiting', async () => {
      const started = Date.now();
      const response = await test({ definition: { Type: 'Wait', Seconds: 86_400, OutputPath: '$.k', Next: 'Later' }, input: '{"k":"v"}' });
      expect(response).to.deep.equal({ status: 'SUCCEEDED', output: '"v"', nextState: 'Later' });
      expect(Date.now() - started).to.be.below(1000);
    });

    it('Wait: a SecondsPath that names no integer fails as in an execution', async () => {
      const response = await test({ definition: { Type: 'Wait', SecondsPath: '$.s', End: true }, input: '{"s":"soon"}' });
      expect(response).to.deep.include({ status: 'FAILED', error: 'States.Runtime' });
    });

    it('Succeed, Fail (with ErrorPath/CausePath) and an unmatched Choice', async () => {
      expect(await test({ definition: { Type: 'Succeed', InputPath: '$.a' }, input: '{"a":[1]}' })).to.deep.equal({ status: 'SUCCEEDED', output: '[1]' });
      expect(await test({ definition: { Type: 'Fail', ErrorPath: '$.e', CausePath: "States.Format('bad {}', $.n)" }, input: '{"e":"Custom","n":3}' })).to.deep.equal({
        status: 'FAILED',
        error: 'Custom',
        cause: 'bad 3',
      });
      const choice = await test({ definition: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'One' }] }, input: '{"n":2}' });
      expect(choice).to.deep.include({ status: 'FAILED', error: 'States.NoChoiceMatched' });
    });

    it('stateName picks a state of a whole machine, nested ones included; inside a Map, $$.Map.Item is the first item', async () => {
      const machine = {
        StartAt: 'First',
        States: {
          First: { Type: 'Pass', Next: 'Each' },
          Each: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', Parameters: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'state.$': '$$.State.Name' }, End: true } } },
            End: true,
          },
        },
      };
      expect(await test({ definition: machine, stateName: 'First', input: '{"x":1}' })).to.deep.equal({ status: 'SUCCEEDED', output: '{"x":1}', nextState: 'Each' });
      const inner = await test({ definition: machine, stateName: 'Inner', input: '{"x":1}' });
      expect(JSON.parse(inner.output!)).to.deep.equal({ index: 0, value: { x: 1 }, state: 'Inner' });
    });

    it("a lone state's $$.State.Name is StateName, as AWS names it", async () => {
      const response = await test({ definition: { Type: 'Pass', Parameters: { 'n.$': '$$.State.Name' }, End: true } });
      expect(response.output).to.equal('{"n":"StateName"}');
    });

    it('a callback task runs mocked: it hands out $$.Task.Token (the context\'s, when given), the mock is what SendTaskSuccess sends', async () => {
      const definition = { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, End: true };
      const response = await test({ definition, mock: { result: '{"approved":true}' }, inspectionLevel: 'DEBUG' });
      expect(response).to.deep.include({ status: 'SUCCEEDED', output: '{"approved":true}' });
      expect(JSON.parse(response.inspectionData!.afterParameters!).MessageBody.token).to.be.a('string').and.not.empty;
      const given = await test({ definition, mock: { result: '{}' }, context: '{"Task":{"Token":"tok-1"}}', inspectionLevel: 'DEBUG' });
      expect(JSON.parse(given.inspectionData!.afterParameters!).MessageBody).to.deep.equal({ token: 'tok-1' });
    });
  });

  describe('TestState mocked Map and Parallel', () => {
    const items = (extra: object = {}) => ({
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Work', States: { Work: { Type: 'Pass', End: true } } },
      End: true,
      ...extra,
    });
    const input = '{"items":["a","b","c","d"],"limit":25}';

    it('mapIterationFailureCount against ToleratedFailureCount: within it succeeds, past it fails the Map (here caught)', async () => {
      const definition = items({ ToleratedFailureCount: 1, Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'TooMany' }] });
      const within = await test({ definition, input, mock: { result: '[1,1,1,0]' }, stateConfiguration: { mapIterationFailureCount: 1 }, inspectionLevel: 'DEBUG' });
      expect(within.status).to.equal('SUCCEEDED');
      expect(within.inspectionData?.toleratedFailureCount).to.equal(1);
      const past = await test({ definition, input, mock: { result: '[1,1,0,0]' }, stateConfiguration: { mapIterationFailureCount: 2 } });
      expect(past).to.deep.include({ status: 'CAUGHT_ERROR', error: 'States.ExceedToleratedFailureThreshold', cause: 'The specified tolerated failure threshold was exceeded', nextState: 'TooMany' });
    });

    it('ToleratedFailurePercentagePath is read from the input; a Map with no threshold is not failed by the count', async () => {
      const byPercentage = await test({ definition: items({ ToleratedFailurePercentagePath: '$.limit' }), input, mock: { result: '[]' }, stateConfiguration: { mapIterationFailureCount: 2 }, inspectionLevel: 'DEBUG' });
      expect(byPercentage).to.deep.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
      expect(byPercentage.inspectionData?.toleratedFailurePercentage).to.equal(25);
      const noThreshold = await test({ definition: items(), input, mock: { result: '[]' }, stateConfiguration: { mapIterationFailureCount: 4 } });
      expect(noThreshold.status).to.equal('SUCCEEDED');
    });

    it('ItemReader data given in stateConfiguration, ItemBatcher with BatchInput, MaxConcurrencyPath', async () => {
      const response = await test({
        definition: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k.json' } },
          ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'job.$': '$.job' } },
          MaxConcurrencyPath: '$.width',
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Work', States: { Work: { Type: 'Pass', End: true } } },
          ResultSelector: { 'count.$': 'States.ArrayLength($)' },
          End: true,
        },
        input: '{"job":"j1","width":3}',
        stateConfiguration: { mapItemReaderData: '[{"n":1},{"n":2},{"n":3}]' },
        mock: { result: '[{"ok":1},{"ok":2}]' },
        inspectionLevel: 'DEBUG',
      });
      expect(parsed(response)).to.deep.include({ status: 'SUCCEEDED', output: { count: 2 } });
      expect(parsed(response.inspectionData)).to.deep.include({
        afterItemsPath: [{ n: 1 }, { n: 2 }, { n: 3 }],
        afterItemBatcher: [{ BatchInput: { job: 'j1' }, Items: [{ n: 1 }, { n: 2 }] }, { BatchInput: { job: 'j1' }, Items: [{ n: 3 }] }],
        maxConcurrency: 3,
      });
    });

    it('a mocked error of a Parallel, raised by the state errorCausedByState names, goes to its Catch', async () => {
      const response = await test({
        definition: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'charge' }, End: true } } }],
          Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Refund', ResultPath: '$.failure' }],
          End: true,
        },
        input: '{"order":1}',
        mock: { errorOutput: { error: 'Payment.Declined', cause: 'card expired' } },
        stateConfiguration: { errorCausedByState: 'Charge' },
      });
      expect(parsed(response)).to.deep.equal({
        status: 'CAUGHT_ERROR',
        error: 'Payment.Declined',
        cause: 'card expired',
        nextState: 'Refund',
        output: { order: 1, failure: { Error: 'Payment.Declined', Cause: 'card expired' } },
      });
    });
  });

  describe('TestState request errors', () => {
    const pass = { Type: 'Pass', End: true };
    const task = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'Echo' }, End: true };
    const map = { Type: 'Map', ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Pass', End: true } } }, End: true };
    const parallel = { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }], End: true };

    const cases: [string, Request, string, string | RegExp][] = [
      ['a definition that is not JSON', { definition: '{"Type": ' }, 'InvalidDefinition', /definition is not valid JSON/],
      ['a whole machine without stateName', { definition: { StartAt: 'A', States: { A: pass } } }, 'InvalidDefinition', /name it in stateName/],
      ['a state the ASL rules refuse', { definition: { Type: 'Pass', Next: 'B', End: true } }, 'InvalidDefinition', /StateName/],
      ['a JSONata state with a JSONPath field', { definition: { Type: 'Pass', QueryLanguage: 'JSONata', Parameters: { a: 1 }, End: true } }, 'InvalidDefinition', /The QueryLanguage is set to 'JSONata', but field 'Parameters' is only supported for the 'JSONPath' QueryLanguage/],
      ['a resource the engine cannot call, unmocked', { definition: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: {}, End: true }, roleArn: ROLE }, 'InvalidDefinition', /sqs:sendMessage: resource is not supported locally/],
      ['an unknown stateName', { definition: { StartAt: 'A', States: { A: pass } }, stateName: 'B' }, 'ValidationException', 'State not found in definition'],
      ['input that is not JSON', { definition: pass, input: '{nope' }, 'InvalidExecutionInput', /input is not valid JSON/],
      ['an unknown inspectionLevel', { definition: pass, inspectionLevel: 'VERBOSE' as never }, 'ValidationException', /at 'inspectionLevel'.*\[INFO, DEBUG, TRACE\]/],
      ['a role ARN that is not one', { definition: pass, roleArn: 'arn:aws:s3:::bucket' }, 'InvalidArn', /roleArn/],
      ['an unmocked Task without roleArn', { definition: task }, 'ValidationException', 'RoleArn must be specified when testing a Task state'],
      ['a mock on a Pass state', { definition: pass, mock: { result: '{}' } }, 'ValidationException', "State type 'Pass' is not supported when a mock is specified"],
      ['a mock with both result and errorOutput', { definition: task, mock: { result: '{}', errorOutput: { error: 'E' } } }, 'ValidationException', 'A test mock should have only one of the following fields: [result, errorOutput].'],
      ['a mock result that is not JSON', { definition: task, mock: { result: 'oops' } }, 'ValidationException', /mock\.result is not valid JSON/],
      ['a mocked error without its name', { definition: task, mock: { errorOutput: { cause: 'c' } } }, 'ValidationException', /mock\.errorOutput\.error is required/],
      ['an unmocked Map', { definition: map }, 'InvalidDefinition', 'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]'],
      ['an unmocked Parallel', { definition: parallel }, 'InvalidDefinition', /does not support Map or Parallel states/],
      ['an unmocked .waitForTaskToken task', { definition: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: {}, End: true }, roleArn: ROLE }, 'ValidationException', /\.waitForTaskToken .*only when a mock is specified/],
      ['an unmocked activity', { definition: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:approve', End: true }, roleArn: ROLE }, 'ValidationException', /Activity tasks only when a mock is specified/],
      ['revealSecrets with a mock', { definition: task, mock: { result: '{}' }, revealSecrets: true }, 'ValidationException', 'TestState does not support RevealSecrets when a mock is specified.'],
      ['context without a mock', { definition: pass, context: '{}' }, 'ValidationException', /context may only be specified together with a mock/],
      ['a Map mock result that is not an array', { definition: map, mock: { result: '{}' } }, 'ValidationException', 'Mocked result must be an array.'],
      ['a Parallel mock result of the wrong length', { definition: parallel, mock: { result: '[1,2]' } }, 'ValidationException', 'Mocked result must contain the same number of items as number of Parallel branches.'],
      ['a mocked Map error without errorCausedByState', { definition: map, mock: { errorOutput: { error: 'E' } } }, 'ValidationException', /errorCausedByState is required/],
      ['errorCausedByState naming no inner state', { definition: map, mock: { errorOutput: { error: 'E' } }, stateConfiguration: { errorCausedByState: 'Nope' } }, 'ValidationException', /no state named 'Nope'/],
      ['mapIterationFailureCount past the items', { definition: map, input: '[1,2]', mock: { result: '[]' }, stateConfiguration: { mapIterationFailureCount: 3 } }, 'ValidationException', /mapIterationFailureCount \(3\) cannot exceed the number of Map iterations \(2\)/],
      ['a negative retrierRetryCount', { definition: task, mock: { result: '{}' }, stateConfiguration: { retrierRetryCount: -1 } }, 'ValidationException', /at 'stateConfiguration\.retrierRetryCount'/],
      ['variables that are not an object', { definition: pass, variables: '[1]' }, 'ValidationException', /variables must be a JSON object/],
      ['a context field of the wrong type', { definition: task, mock: { result: '{}' }, context: '{"State":{"RetryCount":"two"}}' }, 'ValidationException', /context\.State\.RetryCount must be a non-negative integer/],
    ];
    for (const [what, request, name, message] of cases) {
      it(`${what}: ${name}`, async () => {
        const err = await refused(request);
        expect(err.error).to.equal(name);
        if (typeof message === 'string') expect(err.cause).to.equal(message);
        else expect(err.cause).to.match(message);
      });
    }

    it('a resource the engine cannot call is fine once mocked, in the tested state and elsewhere in the machine', async () => {
      const machine = {
        StartAt: 'Notify',
        States: {
          Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 't', Message: 'm' }, Next: 'Done' },
          Done: { Type: 'Pass', End: true },
        },
      };
      expect(await test({ definition: machine, stateName: 'Notify', mock: { result: '{"MessageId":"1"}' } })).to.deep.equal({ status: 'SUCCEEDED', output: '{"MessageId":"1"}', nextState: 'Done' });
      expect(await test({ definition: machine, stateName: 'Done' })).to.deep.equal({ status: 'SUCCEEDED', output: '{}' });
    });
  });
});
