// Workflow variables ("Passing data between states with variables"): how state exit events show them, variables in
// JSONPath fields, scope rules, names, and the size limits (256 KiB a variable, 256 KiB an Assign field, 10 MiB an
// execution). The guide's worked examples with their documented results are in the conformance suite
// (fixtures/asl/conformance/variables.json).
import { expect } from 'chai';
import { loadDefinition, type HistoryEvent } from '../../../local/engine';
import { problemsOf, run, testEngine } from './harness';

const ECHO = 'arn:aws:lambda:us-east-1:000000000000:function:Echo';
const KIB = 1024;

function exited(history: HistoryEvent[], name: string): Record<string, unknown> {
  const event = history.find((e) => e.type.endsWith('StateExited') && (e.stateExitedEventDetails as { name?: string } | undefined)?.name === name);
  return (event?.stateExitedEventDetails ?? {}) as Record<string, unknown>;
}


describe('workflow variables', () => {
  describe('history', () => {
    it("a state's Exited event lists the variables it assigned, each as JSON text, with assignedVariablesDetails", async () => {
      const result = await run({
        StartAt: 'Path',
        States: {
          Path: { Type: 'Pass', Assign: { s: 'text', n: 1.5, list: [1, { a: null }], 'fromInput.$': '$.x' }, Next: 'Ata' },
          Ata: { Type: 'Pass', QueryLanguage: 'JSONata', Assign: { b: true, sum: '{% $n + 1 %}' }, Next: 'None' },
          None: { Type: 'Pass', End: true },
        },
      }, { x: { y: 'z' } });
      expect(exited(result.history, 'Path')).to.deep.include({
        assignedVariables: { s: '"text"', n: '1.5', list: '[1,{"a":null}]', fromInput: '{"y":"z"}' },
        assignedVariablesDetails: { truncated: false },
      });
      expect(exited(result.history, 'Ata')).to.deep.include({ assignedVariables: { b: 'true', sum: '2.5' } });
      expect(exited(result.history, 'None')).to.not.have.property('assignedVariables');
    });

    it("a catcher's Assign is what the state's Exited event lists (the state's own Assign is not made)", async () => {
      const result = await run({
        StartAt: 'Work',
        States: {
          Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Fail', Assign: { ok: true }, Catch: [{ ErrorEquals: ['States.ALL'], Assign: { 'failedWith.$': '$.Error' }, Next: 'Done' }], End: true },
          Done: { Type: 'Succeed' },
        },
      }, { errorType: 'Oops' });
      expect(exited(result.history, 'Work')).to.deep.include({ assignedVariables: { failedWith: '"Oops"' } });
    });
  });

  describe('in JSONPath states', () => {
    it('$name paths in TimeoutSecondsPath, SecondsPath, OutputPath, a Choice IsPresent and Fail ErrorPath/CausePath', async () => {
      const result = await run({
        StartAt: 'Set',
        States: {
          Set: { Type: 'Pass', Assign: { t: 5, wait: 0, picked: { v: 1 }, failure: { e: 'Custom', c: 'from variables' } }, Next: 'T' },
          T: { Type: 'Task', Resource: ECHO, TimeoutSecondsPath: '$t', Next: 'W' },
          W: { Type: 'Wait', SecondsPath: '$wait', OutputPath: '$picked', Next: 'C' },
          C: { Type: 'Choice', Choices: [{ Variable: '$missing', IsPresent: true, Next: 'Never' }, { Variable: '$picked.v', IsPresent: true, Next: 'F' }], Default: 'Never' },
          Never: { Type: 'Succeed' },
          F: { Type: 'Fail', ErrorPath: '$failure.e', CausePath: "States.Format('{} ({})', $failure.c, $.v)" },
        },
      }, {});
      expect(result.error).to.equal('Custom');
      expect(result.cause).to.equal('from variables (1)');
      expect(result.history.find((e) => e.type === 'LambdaFunctionScheduled')!.lambdaFunctionScheduledEventDetails).to.include({ timeoutInSeconds: 5 });
    });

    it('a variable without a value is States.Runtime; ResultPath cannot name a variable', async () => {
      const result = await run({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': '$nothing' }, End: true } } }, {});
      expect(result.error).to.equal('States.Runtime');
      expect(result.cause).to.contain("'$nothing'");
      expect(problemsOf({ StartAt: 'P', States: { P: { Type: 'Pass', ResultPath: '$x', End: true } } }).join('\n')).to.contain('ResultPath');
    });
  });

  describe('scope', () => {
    it('each Map iteration keeps its own variables, reads the outer ones, and its variables go when it ends', async () => {
      const result = await run({
        QueryLanguage: 'JSONata',
        StartAt: 'Set',
        States: {
          Set: { Type: 'Pass', Assign: { factor: 10 }, Next: 'Each' },
          Each: {
            Type: 'Map', Items: '{% $states.input.items %}', MaxConcurrency: 0,
            ItemProcessor: { StartAt: 'Mine', States: {
              Mine: { Type: 'Pass', Assign: { mine: '{% $states.input %}' }, Next: 'Later' },
              Later: { Type: 'Wait', Seconds: '{% 3 - $mine %}', Next: 'Read' },
              Read: { Type: 'Pass', Output: '{% $mine * $factor %}', End: true } } },
            Next: 'After',
          },
          After: { Type: 'Pass', Output: { results: '{% $states.input %}', mineAfter: '{% $exists($mine) %}' }, End: true },
        },
      }, { items: [1, 2, 3] });
      expect(result.output).to.deep.equal({ results: [10, 20, 30], mineAfter: false });
    });

    it('an inner scope may not assign a name an outer scope assigns (its Choice rules and catchers count too)', () => {
      const outer = (inner: object) => ({
        StartAt: 'Set',
        States: {
          Set: { Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, Assign: { x: 1 }, Next: 'Both' }], Default: 'Both' },
          Both: { Type: 'Parallel', Branches: [{ StartAt: 'In', States: { In: inner } }], End: true },
        },
      });
      expect(problemsOf(outer({ Type: 'Pass', Assign: { 'x.$': '$' }, End: true }))).to.deep.equal([
        "state 'Both' > branch 0: state 'In': Assign: the variable 'x' is also assigned in an enclosing scope (by state 'Set'); a variable assigned inside a Map or Parallel cannot have the name of one assigned outside it",
      ]);
      expect(() => loadDefinition(outer({ Type: 'Pass', Assign: { y: 1 }, End: true }))).to.not.throw();
    });

    it('variable names are Unicode identifiers of at most 80 characters, and states is reserved', () => {
      const problems = problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Assign: { '1x': 1, states: 2, ['v'.repeat(81)]: 3, 'größe': 4, ['w'.repeat(80)]: 5 }, End: true } } });
      expect(problems).to.have.length(3);
      expect(problems.join('\n')).to.contain("'1x' is not a valid variable name").and.contain("'states' is reserved").and.contain(`'${'v'.repeat(81)}' is not a valid variable name`);
    });
  });

  describe('limits', () => {
    const big = (n: number) => 'x'.repeat(n);

    it('a variable over 256 KiB is States.DataLimitExceeded, which only a catcher naming it catches', async () => {
      const doubling = (catchers: object[]) => ({
        QueryLanguage: 'JSONata',
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: ECHO, Assign: { huge: '{% $states.result.s & $states.result.s %}' }, Catch: catchers, End: true },
          Done: { Type: 'Succeed' },
        },
      });
      const uncaught = await run(doubling([{ ErrorEquals: ['States.ALL'], Next: 'Done' }]), { s: big(130 * KIB) });
      expect(uncaught.error).to.equal('States.DataLimitExceeded');
      expect(uncaught.cause).to.contain("variable 'huge'").and.contain('262144 bytes');
      const caught = await run(doubling([{ ErrorEquals: ['States.DataLimitExceeded'], Output: '{% $states.errorOutput.Error %}', Next: 'Done' }]), { s: big(130 * KIB) });
      expect(caught.output).to.equal('States.DataLimitExceeded');
    });

    it("an Assign field's values over 256 KiB together are States.DataLimitExceeded", async () => {
      const result = await run({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Assign: { a: '{% $states.input.s %}', b: '{% $states.input.s %}' }, End: true } } }, { s: big(130 * KIB) });
      expect(result.error).to.equal('States.DataLimitExceeded');
      expect(result.cause).to.contain('Assign field');
    });

    it('an execution holds at most 10 MiB of variables; a variable assigned again and an ended iteration give their room back', async () => {
      const chunk = big(250_000);
      // 42 variables of 250,002 bytes each pass 10 MiB (10,485,760 bytes) at the 42nd.
      const states: Record<string, object> = {};
      for (let i = 1; i <= 42; i++) states[`S${i}`] = { Type: 'Pass', Assign: { [`v${i}.$`]: '$.s' }, ...(i < 42 ? { Next: `S${i + 1}` } : { End: true }) };
      const tooMuch = await run({ StartAt: 'S1', States: states }, { s: chunk });
      expect(tooMuch.error).to.equal('States.DataLimitExceeded');
      expect(tooMuch.cause).to.contain("state 'S42'").and.contain('10485760');
      expect(exited(tooMuch.history, 'S41')).to.have.property('assignedVariables');

      const reused = await run({
        QueryLanguage: 'JSONata',
        StartAt: 'Loop',
        States: {
          Loop: { Type: 'Pass', Assign: { v: '{% $states.input.s %}', i: '{% $exists($i) ? $i + 1 : 1 %}' }, Next: 'Again' },
          Again: { Type: 'Choice', Choices: [{ Condition: '{% $i < 45 %}', Next: 'Loop' }], Default: 'Each' },
          Each: { Type: 'Map', Items: '{% [1..45] %}', MaxConcurrency: 1, ItemSelector: { s: '{% $states.input.s %}' },
            ItemProcessor: { StartAt: 'Hold', States: { Hold: { Type: 'Pass', Assign: { held: '{% $states.input.s %}' }, Output: 1, End: true } } },
            Output: '{% $sum($states.result) %}', End: true },
        },
      }, { s: chunk });
      expect(reused.status, `${reused.error}: ${reused.cause}`).to.equal('SUCCEEDED');
      expect(reused.output).to.equal(45);
    });
  });

  describe('TestState', () => {
    it('a JSONPath state reads the variables given; inspectionData.variables shows them after its Assign', async () => {
      const engine = testEngine();
      const response = await engine.testState({
        definition: JSON.stringify({ Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($n, $n)' }, Assign: { 'n.$': '$.doubled', kept: 'yes' }, End: true }),
        variables: '{"n": 21, "other": "x"}',
        inspectionLevel: 'DEBUG',
      });
      await engine.close();
      expect(JSON.parse(response.output!)).to.deep.equal({ doubled: 42 });
      expect(JSON.parse(response.inspectionData!.variables!)).to.deep.equal({ n: 42, other: 'x', kept: 'yes' });
    });

    it('a JSONata Task, mocked: Arguments (afterArguments), then Output and Assign over the mocked result; a JSONata catcher', async () => {
      const engine = testEngine();
      const task = { Type: 'Task', QueryLanguage: 'JSONata', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'F', Payload: { who: '{% $who %}' } },
        Output: '{% $states.result.greeting %}', Assign: { greeted: '{% $states.result.greeting %}' },
        Catch: [{ ErrorEquals: ['States.ALL'], Output: { failed: '{% $states.errorOutput.Error %}' }, Assign: { error: '{% $states.errorOutput.Error %}' }, Next: 'Recover' }], End: true };
      const ok = await engine.testState({ definition: JSON.stringify(task), variables: '{"who":"Ana"}', mock: { result: '{"greeting":"Hello, Ana"}' }, inspectionLevel: 'DEBUG' });
      const failed = await engine.testState({ definition: JSON.stringify(task), variables: '{"who":"Ana"}', mock: { errorOutput: { error: 'Oops', cause: 'c' } }, inspectionLevel: 'DEBUG' });
      await engine.close();
      expect(ok.status).to.equal('SUCCEEDED');
      expect(JSON.parse(ok.output!)).to.equal('Hello, Ana');
      expect(JSON.parse(ok.inspectionData!.afterArguments!)).to.deep.equal({ FunctionName: 'F', Payload: { who: 'Ana' } });
      expect(ok.inspectionData).to.not.have.property('afterInputPath');
      expect(JSON.parse(ok.inspectionData!.variables!)).to.deep.equal({ who: 'Ana', greeted: 'Hello, Ana' });
      expect(failed).to.include({ status: 'CAUGHT_ERROR', nextState: 'Recover', error: 'Oops' });
      expect(JSON.parse(failed.output!)).to.deep.equal({ failed: 'Oops' });
      expect(JSON.parse(failed.inspectionData!.variables!)).to.deep.equal({ who: 'Ana', error: 'Oops' });
    });
  });
});
