import { expect } from 'chai';
import { DefinitionError, loadDefinition } from '../../../local/engine';
import { run } from './harness';

function problemsOf(source: string | object, placeholders?: Record<string, string>): string[] {
  try {
    loadDefinition(source, { placeholders, fileName: 'm.asl.json' });
  } catch (err) {
    expect(err).to.be.instanceOf(DefinitionError);
    expect((err as Error).message).to.contain('m.asl.json');
    return (err as DefinitionError).problems;
  }
  throw new Error('expected a DefinitionError');
}

const task = (resource: string, extra: object = {}) => ({
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: resource, End: true, ...extra } },
});

describe('loadDefinition', () => {
  it('replaces ${Placeholders} in values and accepts the result', () => {
    const def = loadDefinition(
      JSON.stringify(task('arn:aws:states:::lambda:invoke', { Parameters: { FunctionName: '${VideoSplitArn}', 'Payload.$': '$', Bucket: 'b-${DataBucket}' } })),
      { placeholders: { VideoSplitArn: 'arn:aws:lambda:us-east-1:000000000000:function:VideoSplit', DataBucket: 'data' } },
    );
    expect(def.States.Work).to.have.property('Parameters').that.deep.equals({
      FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:VideoSplit',
      'Payload.$': '$',
      Bucket: 'b-data',
    });
  });

  it('names every placeholder left over, with where it is', () => {
    const problems = problemsOf(task('${MissingArn}', { Comment: '${Other}' }));
    expect(problems).to.have.length(2);
    expect(problems[0]).to.contain('${MissingArn}').and.contain('States.Work.Resource');
    expect(problems[1]).to.contain('${Other}');
  });

  it('reports invalid JSON', () => {
    expect(problemsOf('{"StartAt": ')[0]).to.contain('not valid JSON');
  });

  it('reports asl-validator problems with the state name', () => {
    const problems = problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    expect(problems.join('\n')).to.contain('Nowhere');
    const schema = problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Wait', End: true } } });
    expect(schema.join('\n')).to.match(/state ["']B["']/i);
  });

  it('rejects a resource the local engine cannot run, naming the state', () => {
    const problems = problemsOf(task('arn:aws:states:::sqs:sendMessage', { Parameters: { QueueUrl: 'q', MessageBody: 'm' } }));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.contain("state 'Work'").and.contain('not supported locally');
  });

  it('rejects unsupported callback tasks and ItemReaders inside a Map, naming the nested state', () => {
    const problems = problemsOf({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'MANIFEST' }, Parameters: { Bucket: 'b', Key: 'k' } },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Inner',
            States: { Inner: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: 'm' }, End: true } },
          },
          End: true,
        },
      },
    });
    expect(problems.join('\n')).to.contain("state 'M'").and.contain('MANIFEST');
    expect(problems.join('\n')).to.contain("'Inner'").and.contain('waitForTaskToken');
  });

  it('requires States.ALL alone and in the last retrier', () => {
    const problems = problemsOf(task('arn:aws:lambda:us-east-1:000000000000:function:F', {
      Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['Other'] }],
    }));
    expect(problems.join('\n')).to.contain("state 'Work'").and.contain('States.ALL');
  });


  it('rejects retrier values CreateStateMachine rejects, naming the state and the retrier', () => {
    const withRetry = (retrier: object) => task('arn:aws:lambda:us-east-1:000000000000:function:F', { Retry: [{ ErrorEquals: ['A'] }, { ErrorEquals: ['B'], ...retrier }] });
    const cases: [object, string][] = [
      [{ BackoffRate: 0.5 }, 'BackoffRate'],
      [{ IntervalSeconds: 0 }, 'IntervalSeconds'],
      [{ IntervalSeconds: 1.5 }, 'IntervalSeconds'],
      [{ MaxDelaySeconds: 0 }, 'MaxDelaySeconds'],
      [{ MaxDelaySeconds: 2.5 }, 'MaxDelaySeconds'],
      [{ MaxAttempts: 2.5 }, 'MaxAttempts'],
      [{ JitterStrategy: 'HALF' }, 'JitterStrategy'],
    ];
    for (const [retrier, field] of cases) {
      const problems = problemsOf(withRetry(retrier));
      expect(problems, JSON.stringify(retrier)).to.have.length(1);
      expect(problems[0], JSON.stringify(retrier)).to.contain("state 'Work'").and.contain('Retry[1]').and.contain(field);
    }
    // The edges AWS accepts: BackoffRate 1.0, MaxAttempts 0, the smallest positive integers.
    expect(() => loadDefinition(withRetry({ BackoffRate: 1, MaxAttempts: 0, IntervalSeconds: 1, MaxDelaySeconds: 1, JitterStrategy: 'NONE' }))).to.not.throw();
  });

  it('reports an unclosed ${ placeholder, with where it is', () => {
    const problems = problemsOf({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { a: 'x ${Unclosed' }, End: true } } });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.contain('States.P.Result.a').and.contain('x ${Unclosed').and.contain('unclosed');
    // A closed placeholder next to an unclosed one: both reported, each once.
    const both = problemsOf({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { a: '${Known} ${Open' }, End: true } } }, {});
    expect(both).to.have.length(2);
  });
});

describe('decimal literals in intrinsic arguments (asl-validator refuses them, AWS does not)', () => {
  // One case per intrinsic that takes numbers; the results are the developer guide's rules: values kept as
  // given in States.Array, non-integers rounded to the nearest integer by the math and range functions.
  const cases: [string, unknown][] = [
    ['States.Array(1, -5, 3.3)', [1, -5, 3.3]],
    ['States.MathAdd(1.5, 2)', 4],
    ['States.MathAdd(-2.6, 0.4)', -3],
    ['States.ArrayRange(1.5, 9, 2)', [2, 4, 6, 8]],
    ['States.ArrayGetItem(States.Array(1.5, 2.5), 1)', 2.5],
  ];
  for (const [expression, expected] of cases) {
    it(`${expression} loads and gives ${JSON.stringify(expected)}`, async () => {
      const definition = loadDefinition({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': expression }, End: true } } });
      const outcome = await run(definition, {});
      expect(outcome.output).to.deep.equal({ v: expected });
    });
  }

  it('States.MathRandom(1.2, 5.7) loads and stays within the rounded bounds', async () => {
    const definition = loadDefinition({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': 'States.MathRandom(1.2, 5.7)' }, End: true } } });
    for (let i = 0; i < 20; i++) {
      const { v } = (await run(definition, {})).output as { v: number };
      expect(Number.isInteger(v) && v >= 1 && v < 6, String(v)).to.equal(true);
    }
  });

  it('still refuses what is wrong with such a call: an unknown function, a wrong argument count', () => {
    for (const expression of ['States.MathAdd(1.5)', 'States.Nope(1.5, 2)']) {
      expect(() => loadDefinition({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': expression }, End: true } } }), expression).to.throw();
    }
  });
});
