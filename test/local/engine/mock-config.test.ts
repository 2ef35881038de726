// Step Functions Local's mock configuration, run by the engine and by `longhaul execute --mock-config`.
// The fixtures MockConfigFile.json and LambdaSQSIntegration.asl.json are transcribed unchanged from the AWS Step
// Functions developer guide, "Using mocked service integrations for testing in Step Functions Local"
// (sfn-local-test-sm-exec.html, step 1) and "Configuration file for mocked service integrations"
// (sfn-local-mock-cfg-file.html), with the guide's test cases HappyPath, RetryPath and HybridPath.
// CatchConfig.json and LambdaSQSIntegrationWithCatch.asl.json are ours: the guide's machine with a Catch, and a
// mocked Lambda that throws on every attempt, retries included ("0-3"), as AWS's sample
// aws-stepfunctions-examples/sam/app-local-testing-mock-config tests a caught error (CustomValidationFailedCatchTest).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  loadDefinition,
  loadMockConfig,
  mockedStateNames,
  MockConfigError,
  parseMockConfig,
  StatesError,
  type HistoryEvent,
  type MockConfig,
} from '../../../local/engine';
import { testExecuteCommand, usageErrorOf } from './execute-cli';
import { testEngine, testHandlers, types } from './harness';

const fixtures = 'test/fixtures/mock-config';
const guideConfig = path.join(fixtures, 'MockConfigFile.json');
const guideMachine = path.join(fixtures, 'LambdaSQSIntegration.asl.json');

/** The guide's Return values, read from the fixture as written (not through the code under test). */
const guide = JSON.parse(readFileSync(guideConfig, 'utf8')) as { MockedResponses: Record<string, Record<string, { Return?: unknown }>> };
const lambdaSuccess = guide.MockedResponses.MockedLambdaSuccess!['0']!.Return;
const sqsSuccess = guide.MockedResponses.MockedSQSSuccess!['0']!.Return;

function details(event: HistoryEvent): Record<string, unknown> {
  const key = Object.keys(event).find((k) => k.endsWith('EventDetails'))!;
  return event[key as `${string}EventDetails`]!;
}

async function runCase(opts: { config: MockConfig; machineFile: string; machineName: string; testCase: string; input?: unknown; handlers?: Record<string, (input: unknown) => Promise<unknown>> }) {
  const definition = loadDefinition(readFileSync(opts.machineFile, 'utf8'), { mockedStates: mockedStateNames(opts.config, opts.machineName) });
  const engine = testEngine({ mockConfig: opts.config, taskHandlers: { ...testHandlers(), ...opts.handlers } });
  try {
    const execution = engine.startExecution(definition, opts.input ?? {}, { stateMachineName: opts.machineName, testCase: opts.testCase });
    const result = await execution.done;
    return { result, history: execution.history };
  } finally {
    await engine.close();
  }
}

describe('mock configuration (Step Functions Local format)', () => {
  describe("the developer guide's example, by test case", () => {
    const config = loadMockConfig(guideConfig);
    const run = (testCase: string) => runCase({ config, machineFile: guideMachine, machineName: 'LambdaSQSIntegration', testCase, input: { who: 'guide' } });

    it('HappyPath: both Tasks answer from their mocked responses, with the events real Tasks record', async () => {
      const { result, history } = await run('HappyPath');
      expect(result.status, result.cause).to.equal('SUCCEEDED');
      expect(types(history)).to.deep.equal([
        'ExecutionStarted',
        'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited',
        'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited',
        'ExecutionSucceeded',
      ]);
      const scheduled = history.filter((e) => e.type === 'TaskScheduled').map(details);
      expect(scheduled.map((d) => [d.resourceType, d.resource])).to.deep.equal([['lambda', 'invoke'], ['sqs', 'sendMessage']]);
      expect(JSON.parse(scheduled[0]!.parameters as string)).to.deep.equal({ Payload: { who: 'guide' }, FunctionName: 'HelloWorldFunction' });
      // lambda:invoke's Return is the whole Invoke response, passed on as the real one would be (no ResultSelector).
      const succeeded = history.filter((e) => e.type === 'TaskSucceeded').map(details);
      expect(JSON.parse(succeeded[0]!.output as string)).to.deep.equal(lambdaSuccess);
      expect(JSON.parse(scheduled[1]!.parameters as string)).to.deep.equal({
        QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/myQueue',
        MessageBody: lambdaSuccess,
      });
      expect(result.output).to.deep.equal(sqsSuccess);
    });

    it('RetryPath: invocations 0, 1 and 2 throw and are retried, invocation 3 returns', async () => {
      const { result, history } = await run('RetryPath');
      expect(result.status, result.cause).to.equal('SUCCEEDED');
      const lambdaOutcomes = history.filter((e) => e.type === 'TaskFailed' || e.type === 'TaskSucceeded').slice(0, 4);
      expect(lambdaOutcomes.map((e) => [e.type, details(e).error ?? null])).to.deep.equal([
        ['TaskFailed', 'Lambda.ResourceNotReadyException'],
        ['TaskFailed', 'Lambda.TimeoutException'],
        ['TaskFailed', 'Lambda.TimeoutException'],
        ['TaskSucceeded', null],
      ]);
      expect(details(lambdaOutcomes[0]!).cause).to.equal('Lambda resource is not ready.');
      expect(history.filter((e) => e.type === 'TaskScheduled')).to.have.length(5);
      expect(result.output).to.deep.equal(sqsSuccess);
    });

    it('HybridPath: SQSState is not mocked, so it runs for real (and SQS does not run here: States.Runtime)', async () => {
      const { result, history } = await run('HybridPath');
      expect(result.status).to.equal('FAILED');
      expect(result.error).to.equal('States.Runtime');
      expect(result.cause).to.contain('arn:aws:states:::sqs:sendMessage').and.contain('not supported locally');
      expect(JSON.parse(details(history.find((e) => e.type === 'TaskSucceeded')!).output as string)).to.deep.equal(lambdaSuccess);
    });
  });

  it('a mocked Throw goes through Catch once the retries are spent (our Catch variant of the guide)', async () => {
    const { result, history } = await runCase({
      config: loadMockConfig(path.join(fixtures, 'CatchConfig.json')),
      machineFile: path.join(fixtures, 'LambdaSQSIntegrationWithCatch.asl.json'),
      machineName: 'LambdaSQSIntegrationWithCatch',
      testCase: 'CaughtErrorPath',
      input: { order: 7 },
    });
    expect(result.status, result.cause).to.equal('SUCCEEDED');
    expect(history.filter((e) => e.type === 'TaskFailed')).to.have.length(4);
    const entered = history.filter((e) => e.type === 'TaskStateEntered').map((e) => details(e).name);
    expect(entered).to.deep.equal(['LambdaState', 'NotifyFailure']);
    expect(result.output).to.deep.equal({
      order: 7,
      error: { Error: 'Lambda.ResourceNotReadyException', Cause: 'Lambda resource is not ready.' },
      notified: sqsSuccess,
    });
  });

  describe('running a test case', () => {
    const doubled = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'Double', 'Payload.$': '$.n' }, ResultSelector: { 'value.$': '$.Payload' } };
    const twoTasks = {
      StartAt: 'Mocked',
      States: {
        Mocked: { ...doubled, Next: 'Real' },
        Real: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'Echo', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true },
      },
    };
    const config = parseMockConfig({
      StateMachines: { Two: { TestCases: { OnlyFirst: { Mocked: 'FortyTwo' }, Short: { Mocked: 'OnceOnly' } } } },
      MockedResponses: {
        FortyTwo: { '0': { Return: { StatusCode: 200, Payload: 42 } } },
        OnceOnly: { '0': { Throw: { Error: 'Boom', Cause: 'first call' } } },
      },
    });

    it('runs the states the test case does not name for real', async () => {
      const calls: string[] = [];
      const engine = testEngine({
        mockConfig: config,
        taskHandlers: { Double: async () => calls.push('Double'), Echo: async (input) => (calls.push('Echo'), input) },
      });
      const execution = engine.startExecution(loadDefinition(twoTasks), { n: 5 }, { stateMachineName: 'Two', testCase: 'OnlyFirst' });
      const result = await execution.done;
      await engine.close();
      expect(result.status, result.cause).to.equal('SUCCEEDED');
      expect(calls).to.deep.equal(['Echo']);
      expect(result.output).to.deep.equal({ value: 42 });
    });

    it('an execution without a test case runs every state for real, mock configuration or not', async () => {
      const engine = testEngine({ mockConfig: config });
      const result = await engine.startExecution(loadDefinition(twoTasks), { n: 5 }, { stateMachineName: 'Two' }).done;
      await engine.close();
      expect(result.output).to.deep.equal({ value: 10 });
    });

    it('an invocation past the mocked response fails the execution with States.Runtime (no Catch applies)', async () => {
      const definition = loadDefinition({
        ...twoTasks,
        States: { ...twoTasks.States, Mocked: { ...twoTasks.States.Mocked, Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 1 }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Real' }] } },
      });
      const engine = testEngine({ mockConfig: config });
      const result = await engine.startExecution(definition, { n: 5 }, { stateMachineName: 'Two', testCase: 'Short' }).done;
      await engine.close();
      expect(result.status).to.equal('FAILED');
      expect(result.error).to.equal('States.Runtime');
      expect(result.cause).to.contain("'OnceOnly'").and.contain('invocation 1');
    });

    it('an unknown test case, or one without a mock configuration, is refused at start, naming what exists', () => {
      const engine = testEngine({ mockConfig: config });
      const startWith = (machine: string, testCase: string, e = engine) => {
        try {
          e.startExecution(loadDefinition(twoTasks), {}, { stateMachineName: machine, testCase });
        } catch (err) {
          return err as StatesError;
        }
        throw new Error('expected the start to be refused');
      };
      const unknownCase = startWith('Two', 'SadPath');
      expect(unknownCase).to.be.instanceOf(StatesError);
      expect(unknownCase.error).to.equal('StepFunctions.InvalidArnException');
      expect(unknownCase.cause).to.contain("'SadPath'").and.contain('OnlyFirst, Short');
      expect(startWith('Three', 'OnlyFirst').cause).to.contain("'Three'").and.contain('Two');
      const unmocked = testEngine();
      expect(startWith('Two', 'OnlyFirst', unmocked).cause).to.contain('no mock configuration');
      void engine.close();
      void unmocked.close();
    });

    it("a Distributed Map's items run under their parent's test case, each counting its own invocations", async () => {
      const definition = loadDefinition({
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: {
              ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
              StartAt: 'Mocked',
              States: { Mocked: { ...doubled, End: true } },
            },
            End: true,
          },
        },
      });
      const engine = testEngine({ mockConfig: config });
      const result = await engine.startExecution(definition, { items: [{ n: 1 }, { n: 2 }, { n: 3 }] }, { stateMachineName: 'Two', testCase: 'OnlyFirst' }).done;
      await engine.close();
      expect(result.status, result.cause).to.equal('SUCCEEDED');
      expect(result.output).to.deep.equal([{ value: 42 }, { value: 42 }, { value: 42 }]);
    });
  });

  describe('validation', () => {
    const problemsOf = (json: unknown): string[] => {
      try {
        parseMockConfig(json);
      } catch (err) {
        expect(err).to.be.instanceOf(MockConfigError);
        return (err as MockConfigError).problems;
      }
      throw new Error('expected the mock configuration to be refused');
    };
    const ret = { Return: {} };

    it('names every bad invocation key, overlap and gap', () => {
      const problems = problemsOf({
        StateMachines: {},
        MockedResponses: {
          BadKey: { '0': ret, '1-x': ret },
          Backwards: { '0': ret, '3-1': ret },
          Overlap: { '0-2': ret, '2': ret },
          Gap: { '0': ret, '3': ret },
          LateStart: { '1': ret },
          Empty: {},
        },
      });
      expect(problems).to.have.length(6);
      expect(problems).to.include('MockedResponses["BadKey"]["1-x"]: not an invocation number or range (expected e.g. "0" or "1-2")');
      expect(problems).to.include('MockedResponses["Backwards"]["3-1"]: the range ends before it starts');
      expect(problems).to.include('MockedResponses["Overlap"]["2"]: overlaps "0-2"');
      expect(problems).to.include('MockedResponses["Gap"]["3"]: invocations 1-2 have no response (invocations are numbered from 0 with no gap)');
      expect(problems).to.include('MockedResponses["LateStart"]["1"]: invocations 0 have no response (invocations are numbered from 0 with no gap)');
      expect(problems.join('\n')).to.contain('MockedResponses["Empty"]: has no invocations');
    });

    it('names an invocation with both Return and Throw, neither, or a Throw without its strings', () => {
      const problems = problemsOf({
        StateMachines: {},
        MockedResponses: {
          Both: { '0': { Return: 1, Throw: { Error: 'E', Cause: 'C' } } },
          Neither: { '0': {} },
          NoCause: { '0': { Throw: { Error: 'E' } } },
          Typo: { '0': { Retrun: 1 } },
        },
      });
      expect(problems).to.include('MockedResponses["Both"]["0"]: has both Return and Throw; an invocation either returns or throws');
      expect(problems).to.include('MockedResponses["Neither"]["0"]: needs Return or Throw');
      expect(problems).to.include('MockedResponses["NoCause"]["0"].Throw.Cause: must be a string, got nothing');
      expect(problems).to.include('MockedResponses["Typo"]["0"]: unknown field "Retrun" (expected Return or Throw)');
    });

    it('names a test case that points at an unknown mocked response, and a machine without TestCases', () => {
      const problems = problemsOf({
        StateMachines: { M: { TestCases: { Happy: { A: 'Known', B: 'Missing' } } }, N: { Cases: {} } },
        MockedResponses: { Known: { '0': ret } },
      });
      expect(problems).to.include('StateMachines["M"].TestCases["Happy"]["B"]: mocked response "Missing" is not defined in MockedResponses');
      expect(problems).to.include('StateMachines["N"]: unknown field "Cases" (expected TestCases)');
      expect(problems).to.include('StateMachines["N"].TestCases: must be an object of test cases, got nothing');
    });

    it('refuses a file that is missing, not JSON, or without MockedResponses, naming the file', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'mock-config-'));
      try {
        const notJson = path.join(dir, 'broken.json');
        writeFileSync(notJson, '{ "StateMachines": ');
        const noResponses = path.join(dir, 'partial.json');
        writeFileSync(noResponses, '{ "StateMachines": {} }');
        const messageOf = (file: string) => {
          try {
            loadMockConfig(file);
          } catch (err) {
            expect(err).to.be.instanceOf(MockConfigError);
            return (err as Error).message;
          }
          throw new Error(`expected ${file} to be refused`);
        };
        expect(messageOf(path.join(dir, 'absent.json'))).to.contain('absent.json').and.contain('cannot read');
        expect(messageOf(notJson)).to.contain('broken.json').and.contain('not valid JSON');
        expect(messageOf(noResponses)).to.contain('MockedResponses: must be an object of mocked responses, got nothing');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('longhaul execute --mock-config', function () {
    this.timeout(60_000);
    let out: string[];
    let err: string[];
    const command = () => testExecuteCommand(out, err);
    beforeEach(() => {
      out = [];
      err = [];
    });

    it("runs the guide's RetryPath by test case, the machine named after the file", async () => {
      const code = await command().run([guideMachine, '--mock-config', guideConfig, '--test-case', 'RetryPath', '--timeout-scale', '0.001', '--quiet']);
      expect(code, err.join('\n')).to.equal(0);
      expect(JSON.parse(out.join('\n'))).to.deep.equal(sqsSuccess);
    });

    it('refuses an unknown test case before anything starts, and takes --state-machine-name', async () => {
      expect((await usageErrorOf(command(), [guideMachine, '--mock-config', guideConfig, '--test-case', 'SadPath'])).message)
        .to.contain("no test case 'SadPath'").and.contain('HappyPath, RetryPath, HybridPath');
      expect((await usageErrorOf(command(), [guideMachine, '--mock-config', guideConfig, '--test-case', 'HappyPath', '--state-machine-name', 'Other'])).message)
        .to.contain("state machine 'Other'");
      expect((await usageErrorOf(command(), [guideMachine, '--test-case', 'HappyPath'])).message).to.contain('--test-case needs --mock-config');
    });

    it("loads the machine with only the test case's mocked states exempt: HybridPath's real SQSState exits 2", async () => {
      expect(await command().run([guideMachine, '--mock-config', guideConfig, '--test-case', 'HybridPath', '--quiet'])).to.equal(2);
      expect(err.join('\n')).to.contain("state 'SQSState'").and.contain('arn:aws:states:::sqs:sendMessage').and.not.contain("state 'LambdaState'");
    });

    it('a bad mock configuration exits 2 naming its problems', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'mock-config-cli-'));
      try {
        const bad = path.join(dir, 'bad.json');
        writeFileSync(bad, JSON.stringify({ StateMachines: { LambdaSQSIntegration: { TestCases: { HappyPath: { LambdaState: 'Nope' } } } }, MockedResponses: {} }));
        expect(await command().run([guideMachine, '--mock-config', bad, '--test-case', 'HappyPath'])).to.equal(2);
        expect(err.join('\n')).to.contain('bad.json').and.contain('mocked response "Nope" is not defined in MockedResponses');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
