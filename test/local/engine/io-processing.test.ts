import { expect } from 'chai';
import { StatesError } from '../../../local/engine/errors';
import { applyInputPath, applyOutputPath, applyResultPath } from '../../../local/engine/io-processing';
import { run } from './harness';

describe('local/engine/io-processing', () => {
  describe('applyInputPath', () => {
    it('selects a node (AWS guide, "InputPath and Parameters" example)', () => {
      const input = {
        comment: 'Example for InputPath.',
        dataset1: { val1: 1, val2: 2, val3: 3 },
        dataset2: { val1: 'a', val2: 'b', val3: 'c' },
      };
      expect(applyInputPath(input, '$.dataset2')).to.deep.equal({ val1: 'a', val2: 'b', val3: 'c' });
    });

    it('passes the whole input when absent or $', () => {
      const input = { a: 1 };
      expect(applyInputPath(input, undefined)).to.equal(input);
      expect(applyInputPath(input, '$')).to.equal(input);
    });

    it('passes {} for an explicit null', () => {
      expect(applyInputPath({ a: 1 }, null)).to.deep.equal({});
    });

    it('fails with States.Runtime when the path matches nothing', () => {
      expect(() => applyInputPath({ a: 1 }, '$.b')).to.throw(StatesError, "Invalid path '$.b'");
    });
  });

  describe('applyResultPath (AWS guide, "ResultPath" page)', () => {
    const input = {
      comment: 'This is a test of the input and output of a Task state.',
      details: 'Default example',
      who: 'AWS Step Functions',
    };
    const result = 'Hello, AWS Step Functions!';

    it('replaces the input with the result when absent or $', () => {
      expect(applyResultPath(input, result, undefined)).to.equal(result);
      expect(applyResultPath(input, result, '$')).to.equal(result);
    });

    it('includes the result with the input ($.taskresult)', () => {
      expect(applyResultPath(input, result, '$.taskresult')).to.deep.equal({ ...input, taskresult: result });
    });

    it('inserts the result into a child node ($.strings.lambdaresult)', () => {
      const nested = { comment: 'An input comment.', strings: { string1: 'foo', string2: 'bar', string3: 'baz' }, who: 'AWS Step Functions' };
      expect(applyResultPath(nested, result, '$.strings.lambdaresult')).to.deep.equal({
        comment: 'An input comment.',
        strings: { string1: 'foo', string2: 'bar', string3: 'baz', lambdaresult: result },
        who: 'AWS Step Functions',
      });
    });

    it('updates an existing node ($.comment)', () => {
      expect(applyResultPath(input, result, '$.comment')).to.deep.equal({ ...input, comment: result });
    });

    it('keeps the input and an error side by side, as a Catch with ResultPath $.error does', () => {
      expect(applyResultPath({ foo: 'bar' }, { Error: 'Error here' }, '$.error')).to.deep.equal({ foo: 'bar', error: { Error: 'Error here' } });
    });

    it('discards the result and keeps the input for an explicit null', () => {
      expect(applyResultPath(input, result, null)).to.equal(input);
    });

    it('keeps falsy results: 0, false, "" and null are results, not absence', () => {
      for (const falsy of [0, false, '', null]) {
        expect(applyResultPath({ a: 1 }, falsy, '$')).to.equal(falsy);
        expect(applyResultPath({ a: 1 }, falsy, undefined)).to.equal(falsy);
        expect(applyResultPath({ a: 1 }, falsy, '$.r')).to.deep.equal({ a: 1, r: falsy });
      }
    });

    it('fails with States.Runtime when the input cannot hold the result', () => {
      expect(() => applyResultPath('a string', 1, '$.r')).to.throw(StatesError);
      expect(() => applyResultPath({ a: 5 }, 1, '$.a.b')).to.throw(StatesError);
    });
  });

  describe('applyOutputPath', () => {
    it('selects a node, passes everything for absent/$, and {} for null', () => {
      const output = { a: { b: 1 }, c: 2 };
      expect(applyOutputPath(output, '$.a')).to.deep.equal({ b: 1 });
      expect(applyOutputPath(output, undefined)).to.equal(output);
      expect(applyOutputPath(output, '$')).to.equal(output);
      expect(applyOutputPath(output, null)).to.deep.equal({});
    });

    it('fails with States.Runtime when the path matches nothing', () => {
      expect(() => applyOutputPath({ a: 1 }, '$.zzz')).to.throw(StatesError, "Invalid path '$.zzz'");
    });
  });

  it('chains InputPath, ResultPath and OutputPath as the AWS guide\'s "InputPath, ResultPath and OutputPath Example" does', () => {
    const stateInput = {
      comment: 'An input comment.',
      data: { val1: 23, val2: 17 },
      extra: 'foo',
      lambda: { who: 'AWS Step Functions' },
    };
    const taskInput = applyInputPath(stateInput, '$.lambda');
    expect(taskInput).to.deep.equal({ who: 'AWS Step Functions' });
    const lambdaResult = `Hello, ${(taskInput as { who: string }).who}!`;
    const combined = applyResultPath(stateInput, lambdaResult, '$.data.lambdaresult');
    expect(combined).to.deep.equal({
      comment: 'An input comment.',
      data: { val1: 23, val2: 17, lambdaresult: 'Hello, AWS Step Functions!' },
      extra: 'foo',
      lambda: { who: 'AWS Step Functions' },
    });
    expect(applyOutputPath(combined, '$.data')).to.deep.equal({ val1: 23, val2: 17, lambdaresult: 'Hello, AWS Step Functions!' });
    // The state input itself is untouched: a retry would start from the same input.
    expect(stateInput.data).to.deep.equal({ val1: 23, val2: 17 });
  });
});

describe('a ResultPath that cannot be applied to the state input', () => {
  const echo = 'arn:aws:lambda:us-east-1:000000000000:function:Echo';

  it('fails the state with States.ResultPathMatchFailure, which Catch matches with States.ALL (AWS)', async () => {
    const outcome = await run({
      StartAt: 'Place',
      States: {
        Place: {
          Type: 'Task',
          Resource: echo,
          ResultPath: '$.path',
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', Result: 'caught', End: true },
      },
    }, 'a string input');
    expect(outcome.status).to.equal('SUCCEEDED');
    expect(outcome.output).to.equal('caught');
    const failed = outcome.history.find((e) => e.type === 'TaskStateExited');
    expect(failed?.stateExitedEventDetails?.name).to.equal('Place');
  });

  it('uncaught, the execution fails with that error and names the path and the input', async () => {
    const outcome = await run({ StartAt: 'Place', States: { Place: { Type: 'Pass', Result: 1, ResultPath: '$.path', End: true } } }, 'text');
    expect(outcome).to.include({ status: 'FAILED', error: 'States.ResultPathMatchFailure' });
    expect(outcome.cause).to.contain('$.path');
  });
});
