import { expect } from 'chai';
import { DefinitionError, loadDefinition } from '../../../local/engine';

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
    expect(def.States.Work!.Parameters).to.deep.equal({
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

  it('rejects callback tasks and unsupported ItemReaders inside a Map, naming the nested state', () => {
    const problems = problemsOf({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'MANIFEST' }, Parameters: { Bucket: 'b', Key: 'k' } },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Inner',
            States: { Inner: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'f' }, End: true } },
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

  it('rejects JSONata states as not supported locally', () => {
    const problems = problemsOf({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% 1 %}', End: true } } });
    expect(problems).to.include('definition: QueryLanguage JSONata is not supported locally (JSONPath only)');
    expect(problems.join('\n')).to.contain("state 'A': Output (JSONata / variables) is not supported locally");
    // Saying JSONPath explicitly is fine.
    expect(() => loadDefinition({ QueryLanguage: 'JSONPath', StartAt: 'A', States: { A: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } } })).to.not.throw();
  });
});
