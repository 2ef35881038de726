import { expect } from 'chai';
import { StatesError } from '../../../local/engine/errors';
import { isPresent, isReferencePath, parseReferencePath, readInputOrContext, readPath, writePath } from '../../../local/engine/json-path';
import { thrown } from '../../support/thrown';

describe('local/engine/json-path', () => {
  // AWS guide, "Paths" > "Reference Paths": the worked example.
  const docInput = { foo: 123, bar: ['a', 'b', 'c'], car: { cdr: true } };

  describe('readPath with reference paths', () => {
    it('resolves the examples of the "Reference Paths" section', () => {
      expect(readPath(docInput, '$.foo')).to.equal(123);
      expect(readPath(docInput, '$.bar')).to.deep.equal(['a', 'b', 'c']);
      expect(readPath(docInput, '$.car.cdr')).to.equal(true);
    });

    it('returns the whole document for $', () => {
      expect(readPath(docInput, '$')).to.equal(docInput);
      expect(readPath('just a string', '$')).to.equal('just a string');
    });

    it('supports indexes and bracket notation, including the $.abc.[\'def ghi\'] form of the intrinsic-functions page', () => {
      expect(readPath(docInput, '$.bar[1]')).to.equal('b');
      expect(readPath(docInput, "$['car']['cdr']")).to.equal(true);
      expect(readPath(docInput, '$["foo"]')).to.equal(123);
      expect(readPath({ abc: { 'def ghi': 7 } }, "$.abc.['def ghi']")).to.equal(7);
      expect(readPath({ 'a.b': { c: 1 } }, "$['a.b'].c")).to.equal(1);
    });

    it('returns falsy values that are present instead of treating them as missing', () => {
      const data = { zero: 0, no: false, empty: '', nothing: null };
      expect(readPath(data, '$.zero')).to.equal(0);
      expect(readPath(data, '$.no')).to.equal(false);
      expect(readPath(data, '$.empty')).to.equal('');
      expect(readPath(data, '$.nothing')).to.equal(null);
    });

    it('fails with AWS\'s Parameters message naming the field when a field name is given', () => {
      const err = thrown(StatesError, () => readPath({ foo: 1 }, '$.JobName', 'JobName.$'));
      expect(err.error).to.equal('States.Runtime');
      expect(err.cause).to.equal(`The JSONPath '$.JobName' specified for the field 'JobName.$' could not be found in the input '{"foo":1}'`);
    });

    it('fails with an "Invalid path" message in normalized form without a field name', () => {
      const err = thrown(StatesError, () => readPath({ a: {} }, '$.a.b'));
      expect(err.error).to.equal('States.Runtime');
      expect(err.cause).to.equal("Invalid path '$.a.b' : No results for path: $['a']['b']");
    });

    it('treats out-of-range indexes and indexes into non-arrays as missing', () => {
      expect(thrown(StatesError, () => readPath(docInput, '$.bar[3]')).error).to.equal('States.Runtime');
      expect(thrown(StatesError, () => readPath(docInput, '$.car[0]')).error).to.equal('States.Runtime');
      expect(thrown(StatesError, () => readPath(docInput, '$.foo.x')).error).to.equal('States.Runtime');
    });

    it('never resolves inherited properties such as __proto__, constructor or toString', () => {
      expect(() => readPath({}, '$.__proto__')).to.throw(StatesError);
      expect(() => readPath({}, '$.constructor')).to.throw(StatesError);
      expect(() => readPath({ a: 'x' }, '$.a.length')).to.throw(StatesError);
    });

    it('reads a workflow variable for $name, then the rest of the path in its value; a variable without a value is States.Runtime', () => {
      const vars = { variable: (name: string) => (name === 'order' ? { total: 7, items: [{ id: 'a' }, { id: 'b' }] } : undefined) };
      expect(readPath({ total: 1 }, '$order.total', undefined, vars)).to.equal(7);
      expect(readPath({}, '$order.items[1].id', undefined, vars)).to.equal('b');
      expect(readPath({}, '$order', undefined, vars)).to.deep.equal({ total: 7, items: [{ id: 'a' }, { id: 'b' }] });
      expect(readPath({}, '$order.items[*].id', undefined, vars)).to.deep.equal(['a', 'b']);
      const err = thrown(StatesError, () => readPath({ a: 1 }, '$myVar.a', 'v.$', vars));
      expect(err.error).to.equal('States.Runtime');
      expect(err.cause).to.contain('$myVar.a').and.to.contain("'$myVar'");
    });

    it('rejects a path that does not start with $', () => {
      const err = thrown(StatesError, () => readPath(docInput, 'foo'));
      expect(err.error).to.equal('States.Runtime');
      expect(err.cause).to.contain("'foo'");
    });
  });

  describe('readInputOrContext', () => {
    it('reads $$ paths from the context object and $ paths from the input', () => {
      const input = { a: 'from input' };
      const context = { Execution: { Name: 'run-1' } };
      expect(readInputOrContext(input, context, '$$.Execution.Name')).to.equal('run-1');
      expect(readInputOrContext(input, context, '$$')).to.equal(context);
      expect(readInputOrContext(input, context, '$.a')).to.equal('from input');
      const err = thrown(StatesError, () => readInputOrContext(input, context, '$$.Execution.Id', 'CausePath'));
      expect(err.cause).to.equal(`The JSONPath '$$.Execution.Id' specified for the field 'CausePath' could not be found in the input '{"Execution":{"Name":"run-1"}}'`);
    });

    it('refuses a $$ path given to readPath, which has no context object to read', () => {
      expect(thrown(StatesError, () => readPath({}, '$$.Execution.Id')).cause).to.contain('context object');
    });
  });

  describe('readPath with indefinite paths', () => {
    const data = { items: [{ n: 1, id: 'a' }, { n: 2, id: 'b' }, { n: 3, id: 'c' }], deep: { x: { id: 'z' } } };

    it('returns every match of a wildcard as an array', () => {
      expect(readPath(data, '$.items[*].id')).to.deep.equal(['a', 'b', 'c']);
    });

    it('supports filters and deep scan', () => {
      expect(readPath(data, '$.items[?(@.n > 1)].id')).to.deep.equal(['b', 'c']);
      expect(readPath(data, '$..x.id')).to.deep.equal(['z']);
    });

    it('returns an empty array, not an error, when nothing matches', () => {
      expect(readPath(data, '$.missing[*]')).to.deep.equal([]);
      expect(readPath(data, '$.items[?(@.n > 10)]')).to.deep.equal([]);
    });
  });

  describe('isPresent', () => {
    it('is true for present keys, even when their value is null or false', () => {
      expect(isPresent({ a: null }, '$.a')).to.equal(true);
      expect(isPresent({ a: false }, '$.a')).to.equal(true);
      expect(isPresent({ a: [0] }, '$.a[0]')).to.equal(true);
    });

    it('is false for missing keys and out-of-range indexes', () => {
      expect(isPresent({ a: 1 }, '$.b')).to.equal(false);
      expect(isPresent({ a: [0] }, '$.a[1]')).to.equal(false);
      expect(isPresent({ a: 1 }, '$.a.b')).to.equal(false);
    });

    it('is true for an indefinite path only when something matches', () => {
      expect(isPresent({ a: [1] }, '$.a[*]')).to.equal(true);
      expect(isPresent({ a: [] }, '$.a[*]')).to.equal(false);
    });
  });

  describe('reference path parsing', () => {
    it('splits a reference path into keys and indexes', () => {
      expect(parseReferencePath("$.a[2]['b c'].d")).to.deep.equal(['a', 2, 'b c', 'd']);
      expect(parseReferencePath('$')).to.deep.equal([]);
    });

    it('rejects the operators "Reference Paths" excludes: @ .. , : ? *', () => {
      for (const path of ['$.a[*]', '$..a', '$.a[0,1]', '$.a[0:2]', '$.a[?(@.x)]', '$.*', "$['a','b']"]) {
        expect(isReferencePath(path), path).to.equal(false);
      }
    });
  });

  describe('writePath', () => {
    it('adds a key without modifying the original object', () => {
      const input = { a: 1 };
      expect(writePath(input, '$.b', 2)).to.deep.equal({ a: 1, b: 2 });
      expect(input).to.deep.equal({ a: 1 });
    });

    it('creates missing intermediate objects', () => {
      expect(writePath({ a: 1 }, '$.x.y.z', 'v')).to.deep.equal({ a: 1, x: { y: { z: 'v' } } });
    });

    it('replaces an existing node and leaves siblings alone', () => {
      const input = { strings: { s1: 'foo', s2: 'bar' }, other: [1] };
      const out = writePath(input, '$.strings.s1', 'new') as typeof input;
      expect(out).to.deep.equal({ strings: { s1: 'new', s2: 'bar' }, other: [1] });
      expect(input.strings.s1).to.equal('foo');
    });

    it('replaces everything for $', () => {
      expect(writePath({ a: 1 }, '$', 0)).to.equal(0);
    });

    it('writes falsy values as they are', () => {
      expect(writePath({}, '$.r', 0)).to.deep.equal({ r: 0 });
      expect(writePath({}, '$.r', false)).to.deep.equal({ r: false });
      expect(writePath({}, '$.r', '')).to.deep.equal({ r: '' });
      expect(writePath({}, '$.r', null)).to.deep.equal({ r: null });
    });

    it('writes into an existing array element', () => {
      const input = { list: [{ v: 1 }, { v: 2 }] };
      expect(writePath(input, '$.list[1].v', 9)).to.deep.equal({ list: [{ v: 1 }, { v: 9 }] });
      expect(input.list[1].v).to.equal(2);
    });

    it('refuses to write below a value that is not an object', () => {
      const err = thrown(StatesError, () => writePath({ a: 'text' }, '$.a.b', 1));
      expect(err.error).to.equal('States.ResultPathMatchFailure');
      expect(err.cause).to.contain("$.a.b").and.to.contain("$['a'] is a string");
      expect(() => writePath('text', '$.b', 1)).to.throw(StatesError);
      expect(() => writePath([1], '$.b', 1)).to.throw(StatesError);
      expect(() => writePath({ list: [] }, '$.list[0]', 1)).to.throw(StatesError);
    });

    it('accepts only reference paths, naming the offending path', () => {
      const err = thrown(StatesError, () => writePath({ a: [1] }, '$.a[*]', 1));
      expect(err.error).to.equal('States.Runtime');
      expect(err.cause).to.contain("'$.a[*]'");
    });

    it('stores a key named __proto__ as data, not as a prototype', () => {
      const out = writePath({}, '$.__proto__', { polluted: true }) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
      expect(Object.keys(out)).to.deep.equal(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });
});
