import { expect } from 'chai';
import { StatesError } from '../../../local/engine/errors';
import { applyPayloadTemplate, findTemplateProblems } from '../../../local/engine/payload-template';
import { thrown } from '../../support/thrown';

const context = {
  Execution: {
    Id: 'arn:aws:states:us-east-1:123456789012:execution:stateMachineName:executionName',
    Input: { key: 'value' },
    Name: 'executionName',
    StartTime: '2019-03-26T20:14:13.192Z',
  },
  State: { EnteredTime: '2019-03-26T20:14:13.192Z', Name: 'Test', RetryCount: 3 },
  StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:stateMachineName', Name: 'name' },
};

describe('local/engine/payload-template', () => {
  it('selects from the input with .$ keys and copies static values (AWS guide, "InputPath and Parameters")', () => {
    const input = {
      comment: 'Example for Parameters.',
      product: {
        details: { color: 'blue', size: 'small', material: 'cotton' },
        availability: 'in stock',
        sku: '2317',
        cost: '$23',
      },
    };
    const template = {
      comment: 'Selecting what I care about.',
      MyDetails: { 'size.$': '$.product.details.size', 'exists.$': '$.product.availability', StaticValue: 'foo' },
    };
    expect(applyPayloadTemplate(template, input, context)).to.deep.equal({
      comment: 'Selecting what I care about.',
      MyDetails: { size: 'small', exists: 'in stock', StaticValue: 'foo' },
    });
  });

  it('reads the context object through $$ (AWS guide, "The Context Object": Execution.$ in an SQS message)', () => {
    const template = {
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/flight-purchase',
      MessageBody: { From: 'YVR', To: 'SEA', 'Execution.$': '$$.Execution.Id' },
    };
    expect(applyPayloadTemplate(template, {}, context)).to.deep.equal({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/flight-purchase',
      MessageBody: { From: 'YVR', To: 'SEA', Execution: context.Execution.Id },
    });
  });

  it('gives each Map iteration its index and value (AWS guide, "Context Object Data For Map States")', () => {
    const template = { 'ContextIndex.$': '$$.Map.Item.Index', 'ContextValue.$': '$$.Map.Item.Value' };
    const items = [{ who: 'bob' }, { who: 'meg' }, { who: 'joe' }];
    const outputs = items.map((item, index) => applyPayloadTemplate(template, items, { ...context, Map: { Item: { Index: index, Value: item } } }));
    expect(outputs).to.deep.equal([
      { ContextValue: { who: 'bob' }, ContextIndex: 0 },
      { ContextValue: { who: 'meg' }, ContextIndex: 1 },
      { ContextValue: { who: 'joe' }, ContextIndex: 2 },
    ]);
  });

  it('reshapes a task result as a ResultSelector does', () => {
    const result = {
      resourceType: 'elasticmapreduce',
      resource: 'createCluster.sync',
      output: { SdkHttpMetadata: { HttpStatusCode: 200 }, ClusterId: 'AKIAIOSFODNN7EXAMPLE' },
    };
    const selector = { 'ClusterId.$': '$.output.ClusterId', 'ResourceType.$': '$.resourceType' };
    expect(applyPayloadTemplate(selector, result, context, 'ResultSelector')).to.deep.equal({
      ClusterId: 'AKIAIOSFODNN7EXAMPLE',
      ResourceType: 'elasticmapreduce',
    });
  });

  it('evaluates intrinsic functions (AWS guide: "KeyId.$": "States.Array($.Id)")', () => {
    expect(applyPayloadTemplate({ 'BuildId.$': 'States.Array($.Id)' }, { Id: 123456 }, context)).to.deep.equal({ BuildId: [123456] });
    expect(applyPayloadTemplate({ 'n.$': "States.Format('{} run {}', $$.Execution.Name, $.n)" }, { n: 2 }, context)).to.deep.equal({
      n: 'executionName run 2',
    });
  });

  it('processes objects nested inside arrays, at any depth', () => {
    const template = { list: [{ 'a.$': '$.x' }, 'plain', 3, [{ 'b.$': '$.y' }]] };
    expect(applyPayloadTemplate(template, { x: 1, y: [2] }, context)).to.deep.equal({ list: [{ a: 1 }, 'plain', 3, [{ b: [2] }]] });
  });

  it('returns the whole input for $ and the whole context for $$', () => {
    const input = { a: 1 };
    expect(applyPayloadTemplate({ 'all.$': '$', 'ctx.$': '$$' }, input, context)).to.deep.equal({ all: input, ctx: context });
  });

  it('copies falsy selected values as they are', () => {
    const input = { zero: 0, no: false, empty: '', nothing: null };
    expect(applyPayloadTemplate({ 'a.$': '$.zero', 'b.$': '$.no', 'c.$': '$.empty', 'd.$': '$.nothing' }, input, context)).to.deep.equal({
      a: 0,
      b: false,
      c: '',
      d: null,
    });
  });

  it('leaves strings that look like paths alone when the key has no .$', () => {
    expect(applyPayloadTemplate({ literal: '$.not.a.path', 'States.Format': 'x' }, {}, context)).to.deep.equal({
      literal: '$.not.a.path',
      'States.Format': 'x',
    });
  });

  it('does not modify the template or the input', () => {
    const template = { 'a.$': '$.x', nested: { 'b.$': '$.x' } };
    const input = { x: { deep: 1 } };
    const before = JSON.stringify({ template, input });
    applyPayloadTemplate(template, input, context);
    expect(JSON.stringify({ template, input })).to.equal(before);
  });

  it('returns non-object templates unchanged', () => {
    expect(applyPayloadTemplate('text', { a: 1 }, context)).to.equal('text');
    expect(applyPayloadTemplate(0, { a: 1 }, context)).to.equal(0);
    expect(applyPayloadTemplate(null, { a: 1 }, context)).to.equal(null);
  });

  it('fails with AWS\'s message naming the field when a path is missing from the input', () => {
    const err = thrown(StatesError, () => applyPayloadTemplate({ outer: { 'JobName.$': '$.JobName' } }, {}, context));
    expect(err.error).to.equal('States.Runtime');
    expect(err.cause).to.equal("The JSONPath '$.JobName' specified for the field 'JobName.$' could not be found in the input '{}'");
  });

  it('fails naming the field when a $$ path is missing from the context object', () => {
    const err = thrown(StatesError, () => applyPayloadTemplate({ 'i.$': '$$.Map.Item.Index' }, {}, context));
    expect(err.error).to.equal('States.Runtime');
    expect(err.cause).to.contain("specified for the field 'i.$'");
  });

  it('rejects a .$ value that is neither a path nor an intrinsic, naming key and field', () => {
    const err = thrown(StatesError, () => applyPayloadTemplate({ 'x.$': 'hello' }, {}, context, 'ItemSelector'));
    expect(err.error).to.equal('States.Runtime');
    expect(err.cause).to.contain("'x.$'").and.to.contain('ItemSelector');
    expect(() => applyPayloadTemplate({ 'x.$': 5 }, {}, context)).to.throw(StatesError, "'x.$'");
  });

  it('rejects a template that defines the same key statically and with .$', () => {
    const err = thrown(StatesError, () => applyPayloadTemplate({ a: 1, 'a.$': '$.a' }, { a: 2 }, context));
    expect(err.error).to.equal('States.Runtime');
    expect(err.cause).to.contain("'a'");
  });

  it('surfaces intrinsic failures as States.IntrinsicFailure naming the key and the field', () => {
    const err = thrown(StatesError, () => applyPayloadTemplate({ 'x.$': 'States.ArrayLength($.s)' }, { s: 'no' }, context, 'ItemSelector'));
    expect(err.error).to.equal('States.IntrinsicFailure');
    expect(err.cause).to.contain("'x.$'").and.to.contain('ItemSelector').and.to.contain('States.ArrayLength: argument 1 (array) must be an array');
  });

  describe('findTemplateProblems', () => {
    it('finds nothing wrong in a valid template', () => {
      expect(findTemplateProblems({ a: 1, 'b.$': '$.x', c: [{ 'd.$': "States.Format('{}', $$.Execution.Id)" }] })).to.deep.equal([]);
    });

    it('names every bad key by its position, before anything runs', () => {
      const problems = findTemplateProblems(
        { 'a.$': 'hello', nested: [{ 'b.$': 'States.ArrayLength()' }], 'c.$': "States.Format('x'", d: 1, 'd.$': '$.d', 'e.$': 7 },
        'ResultSelector',
      );
      expect(problems).to.have.length(5);
      expect(problems[0]).to.match(/^ResultSelector\.a\.\$: must be a path/);
      expect(problems[1]).to.match(/^ResultSelector\.nested\[0\]\.b\.\$: States\.ArrayLength: expected 1 argument but got 0/);
      expect(problems[2]).to.match(/^ResultSelector\.c\.\$: Invalid intrinsic function/);
      expect(problems[3]).to.equal("ResultSelector.d.$: 'd' is also given without .$");
      expect(problems[4]).to.match(/^ResultSelector\.e\.\$: must be a path/);
    });
  });
});
