// JSONata states as the developer guide and the ASL specification define them: `$states` where each field may
// read it, `{% %}` in every field that takes one, AWS's added functions, States.QueryEvaluationError with its
// EvaluationFailed event, Retry and Catch on it, and JSONPath and JSONata states in one machine. The guide's worked
// examples with their documented results are in the conformance suite (fixtures/asl/conformance/jsonata.json).
import { expect } from 'chai';
import type { HistoryEvent } from '../../../local/engine';
import { run, testHandlers } from './harness';

const ECHO = 'arn:aws:lambda:us-east-1:000000000000:function:Echo';
const HANG = 'arn:aws:lambda:us-east-1:000000000000:function:Hang';
const FAIL = 'arn:aws:lambda:us-east-1:000000000000:function:Fail';
const distributed = { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } };

function details(event: HistoryEvent | undefined): Record<string, unknown> {
  const key = Object.keys(event ?? {}).find((k) => k.endsWith('EventDetails'));
  return key ? event![key as `${string}EventDetails`]! : {};
}
const eventsOf = (history: HistoryEvent[], type: string) => history.filter((e) => e.type === type);

const machine = (states: Record<string, unknown>, startAt = Object.keys(states)[0]!) => ({ QueryLanguage: 'JSONata', StartAt: startAt, States: states });

describe('JSONata states', () => {
  describe('$states', () => {
    it('Arguments read $states.input and $states.context; Output and Assign read $states.result, the lambda:invoke response', async () => {
      const result = await run(machine({
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Arguments: { FunctionName: 'Echo', Payload: { who: '{% $states.input.who %}', state: '{% $states.context.State.Name %}', execution: '{% $states.context.Execution.Name %}' } },
          Assign: { status: '{% $states.result.StatusCode %}' },
          Output: { payload: '{% $states.result.Payload %}', input: '{% $states.input %}' },
          Next: 'Show',
        },
        Show: { Type: 'Pass', Output: { status: '{% $status %}', payload: '{% $states.input.payload %}', inputWas: '{% $states.input.input %}' }, End: true },
      }), { who: 'Ana' });
      expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
      // The harness names executions with a UUID, as StartExecution does without a name.
      const executionName = (result.output as { payload: { execution: string } }).payload.execution;
      expect(executionName).to.match(/^[0-9a-f-]{36}$/);
      expect(result.output).to.deep.equal({ status: 200, payload: { who: 'Ana', state: 'Call', execution: executionName }, inputWas: { who: 'Ana' } });
    });

    it('without Output, a Task outputs its result and a Pass its input; a catcher without Output outputs the error output', async () => {
      const result = await run(machine({
        Call: { Type: 'Task', Resource: ECHO, Arguments: { n: 1 }, Next: 'Keep' },
        Keep: { Type: 'Pass', Next: 'Boom' },
        Boom: { Type: 'Task', Resource: FAIL, Arguments: { errorType: 'Bad', message: 'no' }, Catch: [{ ErrorEquals: ['States.ALL'], Assign: { before: '{% $states.input %}' }, Next: 'Show' }], End: true },
        Show: { Type: 'Pass', Output: { caught: '{% $states.input %}', before: '{% $before %}' }, End: true },
      }), {});
      expect(result.output).to.deep.equal({ caught: { Error: 'Bad', Cause: '{"errorType":"Bad","errorMessage":"no"}' }, before: { n: 1 } });
    });
  });

  describe('{% %} in every field that takes one', () => {
    it('TimeoutSeconds and HeartbeatSeconds: evaluated, recorded in TaskScheduled, enforced', async () => {
      const result = await run(machine({
        Slow: {
          Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'Hang' },
          TimeoutSeconds: '{% $states.input.timeout %}', HeartbeatSeconds: '{% $states.input.timeout - 1 %}',
          Catch: [{ ErrorEquals: ['States.Timeout'], Output: '{% $states.errorOutput.Error %}', Next: 'Done' }], End: true,
        },
        Done: { Type: 'Succeed' },
      }), { timeout: 3 });
      expect(result.output).to.equal('States.Timeout');
      expect(details(eventsOf(result.history, 'TaskScheduled')[0])).to.include({ timeoutInSeconds: 3, heartbeatInSeconds: 2 });
    });

    it('a HeartbeatSeconds not below TimeoutSeconds is States.QueryEvaluationError', async () => {
      const result = await run(machine({ T: { Type: 'Task', Resource: HANG, TimeoutSeconds: '{% 2 %}', HeartbeatSeconds: '{% 2 %}', End: true } }), {});
      expect(result.error).to.equal('States.QueryEvaluationError');
      expect(result.cause).to.contain('HeartbeatSeconds (2) must be smaller than TimeoutSeconds (2)');
      // Recorded as every JSONata evaluation failure is, with the field it concerns.
      expect(eventsOf(result.history, 'EvaluationFailed').map((e) => details(e))).to.deep.equal([
        { error: 'States.QueryEvaluationError', cause: result.cause, location: 'HeartbeatSeconds', state: 'T' },
      ]);
    });

    it('MaxConcurrency: an inline Map runs at most that many iterations at once', async () => {
      let inFlight = 0;
      let most = 0;
      const handlers = { ...testHandlers(), Slow: async (x: unknown) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return x;
      } };
      const result = await run(machine({
        Each: { Type: 'Map', Items: '{% $states.input.items %}', MaxConcurrency: '{% $states.input.limit %}',
          ItemSelector: { index: '{% $states.context.Map.Item.Index %}', value: '{% $states.context.Map.Item.Value %}' },
          ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Slow', End: true } } }, End: true },
      }), { items: ['a', 'b', 'c', 'd'], limit: 2 }, { taskHandlers: handlers });
      expect(result.output).to.deep.equal([{ index: 0, value: 'a' }, { index: 1, value: 'b' }, { index: 2, value: 'c' }, { index: 3, value: 'd' }]);
      expect(most).to.equal(2);
    });

    it('ToleratedFailureCount and ToleratedFailurePercentage of a Distributed Map, and its ItemBatcher fields', async () => {
      const failing = (count: string, percentage: string) => machine({
        Each: { Type: 'Map', Items: '{% $states.input.items %}', ToleratedFailureCount: count, ToleratedFailurePercentage: percentage,
          ItemProcessor: { ...distributed, StartAt: 'Check', States: {
            Check: { Type: 'Choice', Choices: [{ Condition: '{% $states.input = "bad" %}', Next: 'Bad' }], Default: 'Good' },
            Bad: { Type: 'Fail', Error: 'Bad' }, Good: { Type: 'Pass', End: true } } }, End: true },
      });
      const items = ['a', 'bad', 'c', 'bad'];
      expect((await run(failing('{% 2 %}', '{% 100 %}'), { items })).status).to.equal('SUCCEEDED');
      expect((await run(failing('{% 1 %}', '{% 100 %}'), { items })).error).to.equal('States.ExceedToleratedFailureThreshold');
      expect((await run(failing('{% 10 %}', '{% 25 %}'), { items })).error).to.equal('States.ExceedToleratedFailureThreshold');

      const batched = await run(machine({
        Each: { Type: 'Map', Items: '{% $states.input.items %}',
          ItemBatcher: { MaxItemsPerBatch: '{% $states.input.per %}', MaxInputBytesPerBatch: '{% 1024 %}', BatchInput: { job: '{% $states.input.job %}' } },
          ItemProcessor: { ...distributed, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true },
      }), { items: [1, 2, 3, 4, 5], per: 2, job: 'j' });
      expect(batched.output).to.deep.equal([
        { BatchInput: { job: 'j' }, Items: [1, 2] },
        { BatchInput: { job: 'j' }, Items: [3, 4] },
        { BatchInput: { job: 'j' }, Items: [5] },
      ]);
    });

    it('Wait Seconds; Items as an array holding expressions; without Items, the input (which must be an array)', async () => {
      const result = await run(machine({
        Pause: { Type: 'Wait', Seconds: '{% $states.input.s %}', Output: [1, '{% $states.input.s + 1 %}'], Next: 'Each' },
        Each: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input * 10 %}', End: true } } }, Next: 'Listed' },
        Listed: { Type: 'Map', Items: ['{% $states.input[0] %}', 'x'], ItemProcessor: { StartAt: 'Q', States: { Q: { Type: 'Pass', End: true } } }, End: true },
      }), { s: 1 });
      expect(result.output).to.deep.equal([10, 'x']);
      const notArray = await run(machine({ Each: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } }), { a: 1 });
      expect(notArray.error).to.equal('States.QueryEvaluationError');
      expect(notArray.cause).to.contain('Without Items, the state input must be a JSON array');
      const negative = await run(machine({ W: { Type: 'Wait', Seconds: '{% -1 %}', End: true } }), {});
      expect(negative.error).to.equal('States.QueryEvaluationError');
      expect(negative.cause).to.contain("specified for the field 'Seconds' returned an unexpected result type: expected a non-negative integer, got -1");
    });

    it('Parallel Arguments go to every branch; a Choice Condition must give a boolean', async () => {
      const result = await run(machine({
        Both: { Type: 'Parallel', Arguments: { n: '{% $states.input.n %}' }, Branches: [
          { StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $states.input.n + 1 %}', End: true } } },
          { StartAt: 'B', States: { B: { Type: 'Pass', Output: '{% $states.input.n + 2 %}', End: true } } }], Output: '{% $sum($states.result) %}', End: true },
      }), { n: 1 });
      expect(result.output).to.equal(5);
      const notBoolean = await run(machine({ C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n %}', Next: 'D' }], Default: 'D' }, D: { Type: 'Succeed' } }), { n: 1 });
      expect(notBoolean.error).to.equal('States.QueryEvaluationError');
      expect(notBoolean.cause).to.contain("'Choices[0]/Condition' returned an unexpected result type: expected true or false, got 1");
      const noMatch = await run(machine({ C: { Type: 'Choice', Choices: [{ Condition: false, Next: 'D' }] }, D: { Type: 'Succeed' } }), {});
      expect(noMatch.error).to.equal('States.NoChoiceMatched');
    });
  });

  describe("AWS's added functions", () => {
    it('$random(seed) gives the same number for the same seed, in [0, 1); $random() and $uuid() are fresh per call', async () => {
      const result = await run(machine({
        A: { Type: 'Pass', Output: { a: '{% $random(42) %}', b: '{% $random(42) %}', c: '{% $random(43) %}', r1: '{% $random() %}', r2: '{% $random() %}', u1: '{% $uuid() %}', u2: '{% $uuid() %}', ms: '{% $millis() %}', now: '{% $now() %}' }, End: true },
      }), {});
      const o = result.output as Record<string, number | string>;
      expect(o.a).to.equal(o.b);
      expect(o.a).to.not.equal(o.c);
      for (const key of ['a', 'c', 'r1', 'r2']) expect(o[key]).to.be.within(0, 0.9999999999);
      expect(o.r1).to.not.equal(o.r2);
      expect(o.u1).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(o.u1).to.not.equal(o.u2);
      expect(Date.parse(o.now as string)).to.equal(o.ms);
    });

    it('$partition and $range round non-integers down; $hash refuses an unknown algorithm', async () => {
      const result = await run(machine({ A: { Type: 'Pass', Output: { p: '{% $partition([1,2,3,4,5], 2.7) %}', r: '{% $range(0, 10.9, 2.5) %}' }, End: true } }), {});
      expect(result.output).to.deep.equal({ p: [[1, 2], [3, 4], [5]], r: [0, 2, 4, 6, 8, 10] });
      const bad = await run(machine({ A: { Type: 'Pass', Output: "{% $hash('x', 'SHA-3') %}", End: true } }), {});
      expect(bad.error).to.equal('States.QueryEvaluationError');
      expect(bad.cause).to.contain('$hash: the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512');
    });
  });

  describe('States.QueryEvaluationError', () => {
    it('is recorded as an EvaluationFailed event (error, cause, location, state) on every attempt, and a Retry retries it', async () => {
      const result = await run(machine({
        T: { Type: 'Task', Resource: ECHO, Output: { v: '{% $states.result.missing %}' }, Retry: [{ ErrorEquals: ['States.QueryEvaluationError'], IntervalSeconds: 1, MaxAttempts: 1 }], End: true },
      }), {});
      expect(result.error).to.equal('States.QueryEvaluationError');
      const failures = eventsOf(result.history, 'EvaluationFailed');
      expect(failures).to.have.length(2);
      expect(details(failures[0])).to.deep.equal({
        error: 'States.QueryEvaluationError',
        cause: "An error occurred while executing the state 'T' (entered at the event id #2). The JSONata expression '$states.result.missing' specified for the field 'Output/v' returned nothing (undefined).",
        location: 'Output/v',
        state: 'T',
      });
      expect(eventsOf(result.history, 'LambdaFunctionScheduled')).to.have.length(2);
    });

    it('a function value is not a JSON result', async () => {
      const result = await run(machine({ A: { Type: 'Pass', Output: '{% function($x) { $x } %}', End: true } }), {});
      expect(result.error).to.equal('States.QueryEvaluationError');
      expect(result.cause).to.contain('returned an unsupported result type');
    });
  });

  describe('JSONPath and JSONata in one machine', () => {
    it("each state speaks its own language; a Map's inner states default to the machine's, not to the Map's", async () => {
      const result = await run({
        StartAt: 'Path',
        States: {
          Path: { Type: 'Pass', Parameters: { 'total.$': '$.transaction.total', 'items.$': '$.items' }, Assign: { 'first.$': '$.items[0]' }, Next: 'Ata' },
          Ata: {
            Type: 'Map', QueryLanguage: 'JSONata', Items: '{% $states.input.items %}',
            ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', Parameters: { 'v.$': '$', 'first.$': '$first' }, End: true } } },
            Output: { total: '{% $states.input.total %}', each: '{% $states.result %}' }, Next: 'Back',
          },
          Back: { Type: 'Pass', OutputPath: '$.each[1]', End: true },
        },
      }, { transaction: { total: 7 }, items: ['a', 'b'] });
      expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
      expect(result.output).to.deep.equal({ v: 'b', first: 'a' });
    });

    it("a JSONata machine's Distributed Map children run their states in JSONata", async () => {
      const result = await run(machine({
        Each: { Type: 'Map', Items: [1, 2], ItemProcessor: { ...distributed, StartAt: 'Double', States: { Double: { Type: 'Pass', Output: '{% $states.input * 2 %}', End: true } } }, End: true },
      }), {});
      expect(result.output).to.deep.equal([2, 4]);
    });
  });
});
