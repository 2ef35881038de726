// Expected values come from the AWS guide page "Intrinsic functions for JSONPath states in Step
// Functions" unless a comment says otherwise; digests were computed with coreutils (md5sum, sha1sum...).
import { expect } from 'chai';
import { StatesError } from '../../../local/engine/errors';
import { checkIntrinsic, evaluateIntrinsic, isIntrinsic, parseIntrinsic } from '../../../local/engine/intrinsics';

const context = { Execution: { Name: 'run-9', Input: { n: 1 } } };

function run(expression: string, input: unknown = {}): unknown {
  return evaluateIntrinsic(expression, input, context);
}

/** Asserts a States.IntrinsicFailure whose message names the function (and returns it for more checks). */
function failure(expression: string, input: unknown = {}, fn = /States\.[A-Za-z0-9]+/.exec(expression)![0]): StatesError {
  try {
    run(expression, input);
  } catch (err) {
    expect(err, expression).to.be.instanceOf(StatesError);
    const e = err as StatesError;
    expect(e.error, `${expression}: ${e.cause}`).to.equal('States.IntrinsicFailure');
    expect(e.cause, expression).to.contain(fn);
    return e;
  }
  throw new Error(`expected ${expression} to fail`);
}

describe('local/engine/intrinsics', () => {
  const nine = { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9] };

  describe('States.Format', () => {
    const input = { name: 'Arnav', template: 'Hello, my name is {}.' };

    it('fills a literal template and a template read from a path (guide example)', () => {
      expect(run("States.Format('Hello, my name is {}.', $.name)", input)).to.equal('Hello, my name is Arnav.');
      expect(run('States.Format($.template, $.name)', input)).to.equal('Hello, my name is Arnav.');
    });

    it('treats escaped braces, quotes and backslashes as characters ("Reserved characters in intrinsic functions")', () => {
      expect(run("States.Format('\\{\\} {}', $.name)", input)).to.equal('{} Arnav');
      expect(run("States.Format('it\\'s {}', $.name)", input)).to.equal("it's Arnav");
      expect(run("States.Format('a\\\\b')", input)).to.equal('a\\b');
    });

    it('prints numbers, booleans and null as JSON, and collections as AWS does', () => {
      expect(run("States.Format('{}|{}|{}|{}', 1.5, true, null, -3)")).to.equal('1.5|true|null|-3');
      // Object and array rendering as recorded against AWS in LocalStack's validated snapshots (test_format_2).
      expect(run("States.Format('{}', $.o)", { o: { Arg1: 1, Arg2: [] } })).to.equal('{Arg1=1, Arg2=[]}');
      expect(run("States.Format('{}', $.a)", { a: ['x', 1] })).to.equal('[x, 1]');
    });

    it('fails when placeholders and arguments do not match in number', () => {
      expect(failure("States.Format('{} {}', $.name)", input).cause).to.contain('2').and.to.contain('1');
      failure("States.Format('no placeholder', $.name)", input);
    });

    it('fails when the template is not a string', () => {
      expect(failure('States.Format(5)').cause).to.contain('argument 1');
      failure('States.Format()');
    });
  });

  describe('States.StringToJson and States.JsonToString', () => {
    it('parses an escaped JSON string (guide example)', () => {
      expect(run('States.StringToJson($.escapedJsonString)', { escapedJsonString: '{"foo": "bar"}' })).to.deep.equal({ foo: 'bar' });
    });

    it('fails on text that is not JSON or not a string', () => {
      failure('States.StringToJson($.s)', { s: '{not json' });
      failure('States.StringToJson($.s)', { s: 5 });
      failure('States.StringToJson()');
    });

    it('serialises the data at a path (guide example)', () => {
      expect(run('States.JsonToString($.unescapedJson)', { unescapedJson: { foo: 'bar' } })).to.equal('{"foo":"bar"}');
      expect(run('States.JsonToString($.n)', { n: 0 })).to.equal('0');
    });

    it('accepts only a path as its argument', () => {
      expect(failure("States.JsonToString('x')").cause).to.contain('path');
      failure('States.JsonToString($.a, $.b)', { a: 1, b: 2 });
    });
  });

  describe('array functions', () => {
    it('States.Array returns its arguments in order (guide example)', () => {
      expect(run('States.Array($.Id)', { Id: 123456 })).to.deep.equal([123456]);
      expect(run("States.Array('a', 1, -2.5, true, false, null, $$.Execution.Name)")).to.deep.equal(['a', 1, -2.5, true, false, null, 'run-9']);
      expect(run('States.Array()')).to.deep.equal([]);
    });

    it('States.ArrayPartition chunks an array (guide example) and rounds the chunk size', () => {
      expect(run('States.ArrayPartition($.inputArray,4)', nine)).to.deep.equal([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
      expect(run('States.ArrayPartition($.inputArray, 4.5)', nine)).to.deep.equal([[1, 2, 3, 4, 5], [6, 7, 8, 9]]);
      expect(run('States.ArrayPartition($.e, 3)', { e: [] })).to.deep.equal([]);
    });

    it('States.ArrayPartition rejects a non-array and a chunk size that is not positive', () => {
      failure('States.ArrayPartition($.s, 2)', { s: 'abc' });
      expect(failure('States.ArrayPartition($.inputArray, 0)', nine).cause).to.contain('chunk size');
      failure('States.ArrayPartition($.inputArray, -1)', nine);
      failure("States.ArrayPartition($.inputArray, '2')", nine);
    });

    it('States.ArrayContains finds a value (guide example), comparing JSON structurally', () => {
      expect(run('States.ArrayContains($.inputArray, $.lookingFor)', { ...nine, lookingFor: 5 })).to.equal(true);
      expect(run('States.ArrayContains($.inputArray, 10)', nine)).to.equal(false);
      expect(run('States.ArrayContains($.a, $.v)', { a: [{ x: 1, y: [2] }], v: { y: [2], x: 1 } })).to.equal(true);
      expect(run("States.ArrayContains($.a, '1')", { a: [1] })).to.equal(false);
    });

    it('States.ArrayContains rejects a non-array', () => {
      failure('States.ArrayContains($.o, 1)', { o: { a: 1 } });
    });

    it('States.ArrayRange builds a range (guide example), counting down too, rounding non-integers', () => {
      expect(run('States.ArrayRange(1, 9, 2)')).to.deep.equal([1, 3, 5, 7, 9]);
      expect(run('States.ArrayRange(9, 1, -2)')).to.deep.equal([9, 7, 5, 3, 1]);
      expect(run('States.ArrayRange(1, 3.6, 1)')).to.deep.equal([1, 2, 3, 4]);
    });

    it('States.ArrayRange allows 1000 elements and rejects 1001, and a zero step', () => {
      expect(run('States.ArrayRange(1, 1000, 1)')).to.have.length(1000);
      expect(failure('States.ArrayRange(1, 1001, 1)').cause).to.contain('1000');
      expect(failure('States.ArrayRange(0, 10, 0)').cause).to.contain('step');
      failure("States.ArrayRange('1', 2, 1)");
      failure('States.ArrayRange(1, 2)');
    });

    it('States.ArrayGetItem returns the item at an index (guide example)', () => {
      expect(run('States.ArrayGetItem($.inputArray, $.index)', { ...nine, index: 5 })).to.equal(6);
      expect(run('States.ArrayGetItem($.a, 0)', { a: [null] })).to.equal(null);
    });

    it('States.ArrayGetItem rejects an index outside the array or not an integer', () => {
      expect(failure('States.ArrayGetItem($.inputArray, 9)', nine).cause).to.contain('out of bounds');
      failure('States.ArrayGetItem($.inputArray, -1)', nine);
      failure('States.ArrayGetItem($.inputArray, 1.5)', nine);
      failure('States.ArrayGetItem($.s, 0)', { s: 'abc' });
    });

    it('States.ArrayLength counts items (guide example)', () => {
      expect(run('States.ArrayLength($.inputArray)', nine)).to.equal(9);
      expect(run('States.ArrayLength($.e)', { e: [] })).to.equal(0);
      failure('States.ArrayLength($.s)', { s: 'abc' });
      expect(failure('States.ArrayLength()').cause).to.contain('expected 1 argument but got 0');
    });

    it('States.ArrayUnique removes duplicates keeping first occurrences (guide example)', () => {
      expect(run('States.ArrayUnique($.inputArray)', { inputArray: [1, 2, 3, 3, 3, 3, 3, 3, 4] })).to.deep.equal([1, 2, 3, 4]);
      expect(run('States.ArrayUnique($.a)', { a: [{ a: 1 }, { a: 1 }, 'x', 1, 'x', [1]] })).to.deep.equal([{ a: 1 }, 'x', 1, [1]]);
      failure('States.ArrayUnique($.o)', { o: {} });
    });
  });

  describe('encoding and hashing', () => {
    it('States.Base64Encode encodes UTF-8 text (guide example)', () => {
      expect(run('States.Base64Encode($.input)', { input: 'Data to encode' })).to.equal('RGF0YSB0byBlbmNvZGU=');
      expect(run("States.Base64Encode('é')")).to.equal('w6k=');
    });

    it('States.Base64Encode accepts 10,000 characters and rejects 10,001', () => {
      expect(run('States.Base64Encode($.s)', { s: 'a'.repeat(10_000) })).to.be.a('string');
      expect(failure('States.Base64Encode($.s)', { s: 'a'.repeat(10_001) }).cause).to.contain('10000');
      failure('States.Base64Encode($.n)', { n: 1 });
    });

    it('States.Base64Decode decodes (the guide\'s input; its printed output "Decoded data" is not what those bytes say)', () => {
      expect(run('States.Base64Decode($.base64)', { base64: 'RGF0YSB0byBlbmNvZGU=' })).to.equal('Data to encode');
      expect(run("States.Base64Decode('w6k=')")).to.equal('é');
    });

    it('States.Base64Decode rejects invalid base64 and more than 10,000 characters', () => {
      failure("States.Base64Decode('abc')");
      failure("States.Base64Decode('ab!=')");
      failure('States.Base64Decode($.s)', { s: 'A'.repeat(10_004) });
    });

    it('States.Hash computes every documented algorithm (the guide\'s SHA-1 value drops a digit: sha1sum gives this one)', () => {
      const input = { Data: 'input data', Algorithm: 'SHA-1' };
      expect(run('States.Hash($.Data, $.Algorithm)', input)).to.equal('aaff4a450a104cd177d28d18d74485e8cae074b7');
      expect(run("States.Hash($.Data, 'MD5')", input)).to.equal('812f45842bc6d66ee14572ce20db8e86');
      expect(run("States.Hash($.Data, 'SHA-256')", input)).to.equal('b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3');
      expect(run("States.Hash($.Data, 'SHA-384')", input)).to.equal(
        'd28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562',
      );
      expect(run("States.Hash($.Data, 'SHA-512')", input)).to.equal(
        '6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4',
      );
    });

    it('States.Hash rejects unknown algorithms, long data and non-string data', () => {
      expect(failure("States.Hash('x', 'SHA-3')").cause).to.contain('SHA-256');
      failure("States.Hash('x', 'sha-1')");
      failure("States.Hash($.s, 'MD5')", { s: 'a'.repeat(10_001) });
      failure("States.Hash($.o, 'MD5')", { o: { a: 1 } });
    });
  });

  describe('States.JsonMerge', () => {
    const input = { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } };

    it('merges shallowly, the second object winning (guide example)', () => {
      expect(run('States.JsonMerge($.json1, $.json2, false)', input)).to.deep.equal({ a: { a3: 1, a4: 2 }, b: 2, c: 3 });
    });

    it('rejects deep merging and non-objects', () => {
      expect(failure('States.JsonMerge($.json1, $.json2, true)', input).cause).to.contain('false');
      failure('States.JsonMerge($.json1, $.json2)', input);
      failure('States.JsonMerge($.json1, $.list, false)', { ...input, list: [1] });
      failure("States.JsonMerge('a', $.json2, false)", input);
    });
  });

  describe('math', () => {
    it('States.MathRandom returns integers from start (inclusive) to end (exclusive)', () => {
      for (let i = 0; i < 200; i++) {
        const n = run('States.MathRandom($.start, $.end)', { start: 1, end: 999 }) as number;
        expect(Number.isInteger(n) && n >= 1 && n < 999, String(n)).to.equal(true);
        expect(run('States.MathRandom(0, 1)')).to.equal(0);
      }
    });

    it('States.MathRandom rounds its bounds to the nearest integer', () => {
      const seen = new Set<unknown>();
      for (let i = 0; i < 200; i++) seen.add(run('States.MathRandom(12.5, 14.5)'));
      expect([...seen].sort()).to.deep.equal([13, 14]);
    });

    it('States.MathRandom returns the same number for the same seed', () => {
      const first = run('States.MathRandom(0, 1000000, 42)');
      for (let i = 0; i < 5; i++) expect(run('States.MathRandom(0, 1000000, 42)')).to.equal(first);
    });

    it('States.MathRandom rejects non-numbers, an empty range and wrong argument counts', () => {
      failure("States.MathRandom('1', 5)");
      failure('States.MathRandom(5, 5)');
      failure('States.MathRandom(1)');
      failure('States.MathRandom(1, 2, 3, 4)');
    });

    it('States.MathAdd adds (guide example: 111 + -1)', () => {
      expect(run('States.MathAdd($.value1, $.step)', { value1: 111, step: -1 })).to.equal(110);
      expect(run('States.MathAdd(2147483647, 0)')).to.equal(2147483647);
    });

    it('States.MathAdd rounds halves like Java\'s Math.round (cases LocalStack validated against AWS)', () => {
      expect(run('States.MathAdd(1.49, 1.50)')).to.equal(3);
      expect(run('States.MathAdd(-1.49, -1.50)')).to.equal(-2);
      expect(run('States.MathAdd(2.5, 0)')).to.equal(3);
      expect(run('States.MathAdd(-2.5, 0)')).to.equal(-2);
    });

    it('States.MathAdd rejects values outside the 32-bit integer range and non-numbers', () => {
      expect(failure('States.MathAdd(2147483648, 0)').cause).to.contain('2147483647');
      failure('States.MathAdd(0, -2147483649)');
      failure("States.MathAdd('1', 2)");
    });
  });

  describe('States.StringSplit', () => {
    it('splits on a delimiter (guide example)', () => {
      expect(run('States.StringSplit($.inputString, $.splitter)', { inputString: '1,2,3,4,5', splitter: ',' })).to.deep.equal(['1', '2', '3', '4', '5']);
    });

    it('splits on every character of the delimiter string (guide example)', () => {
      expect(run('States.StringSplit($.inputString, $.splitter)', { inputString: 'This.is+a,test=string', splitter: '.+,=' })).to.deep.equal([
        'This',
        'is',
        'a',
        'test',
        'string',
      ]);
    });

    it('drops empty pieces (cases LocalStack validated against AWS)', () => {
      expect(run("States.StringSplit(' , ', ',')")).to.deep.equal([' ', ' ']);
      expect(run("States.StringSplit(',,,,', ',')")).to.deep.equal([]);
      expect(run('States.StringSplit($.s, $.d)', { s: 'split on T and \nnew line', d: 'T\n' })).to.deep.equal(['split on ', ' and ', 'new line']);
    });

    it('rejects non-strings', () => {
      failure("States.StringSplit($.n, ',')", { n: 5 });
      failure("States.StringSplit('a', 1)");
    });
  });

  describe('States.UUID', () => {
    it('returns distinct version 4 UUIDs', () => {
      const a = run('States.UUID()') as string;
      const b = run('States.UUID()') as string;
      expect(a).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a).to.not.equal(b);
    });

    it('takes no arguments', () => {
      failure("States.UUID('x')");
    });
  });

  describe('parsing', () => {
    it('recognises intrinsic calls', () => {
      expect(isIntrinsic('States.Format(\'x\')')).to.equal(true);
      expect(isIntrinsic('  States.UUID ( )')).to.equal(true);
      expect(isIntrinsic('$.States.Format')).to.equal(false);
      expect(isIntrinsic('States.Format')).to.equal(false);
    });

    it('tolerates whitespace and reads negative and decimal numbers', () => {
      expect(run('  States.MathAdd (  -5 ,-3 )  ')).to.equal(-8);
      expect(run('States.Array(0.25, 1e3)')).to.deep.equal([0.25, 1000]);
    });

    it('reads paths into the input and the context object, including brackets with commas and filters', () => {
      expect(run("States.Array($['a,b'], $$.Execution.Input.n)", { 'a,b': 'x' })).to.deep.equal(['x', 1]);
      expect(run('States.ArrayLength($.items[?(@.n > 1)])', { items: [{ n: 1 }, { n: 2 }, { n: 3 }] })).to.equal(2);
      expect(run('States.Array($)', 7)).to.deep.equal([7]);
    });

    it('evaluates the nine nested functions of the guide\'s myArn example', () => {
      const input = { ImageRecipe: { Arn: 'arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/sample/1.0.0/1' } };
      const inner = (i: number) => `States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), ${i})`;
      // The guide's version has three {} for two values, which its own States.Format rule forbids.
      const asPrinted = `States.Format('{}.{}.{}', ${inner(0)}, ${inner(1)})`;
      expect(() => parseIntrinsic(asPrinted)).to.not.throw();
      failure(asPrinted, input, 'States.Format');
      expect(run(`States.Format('{}.{}', ${inner(0)}, ${inner(1)})`, input)).to.equal('1.0');
    });

    it('allows 10 functions in a field and rejects 11', () => {
      const nest = (n: number): string => (n === 1 ? 'States.Array(1)' : `States.Array(${nest(n - 1)})`);
      expect(() => parseIntrinsic(nest(10))).to.not.throw();
      expect(() => parseIntrinsic(nest(11))).to.throw(StatesError, 'more than 10');
    });

    it('reports syntax errors as States.IntrinsicFailure', () => {
      for (const bad of ["States.Format('x'", "States.Format('x) ", "States.Format('a' 'b')", 'States.Array(1) extra', "States.Format('\\a')", 'States.Array(@)']) {
        const err = (() => {
          try {
            parseIntrinsic(bad);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(err, bad).to.be.instanceOf(StatesError);
        expect((err as StatesError).error, bad).to.equal('States.IntrinsicFailure');
      }
    });

    it('checks argument counts of every nested call before running anything', () => {
      expect(() => checkIntrinsic("States.Format('{}', States.ArrayLength($.a, $.b))")).to.throw(StatesError, 'States.ArrayLength');
      expect(() => checkIntrinsic('States.MathRandom(1, 2, 3, 4)')).to.throw(StatesError, 'expected 2 to 3 arguments');
      expect(() => checkIntrinsic('States.Format()')).to.throw(StatesError, 'expected at least 1 argument but got 0');
      expect(() => checkIntrinsic("States.Format('{}', States.ArrayLength($.a))")).to.not.throw();
    });

    it('rejects unknown functions, at check time and at run time', () => {
      expect(() => checkIntrinsic('States.Array(States.Nope(1))')).to.throw(StatesError, 'States.Nope');
      failure('States.Nope(1)');
    });

    it('fails with States.Runtime naming the path when a path argument matches nothing', () => {
      try {
        run('States.Array($.nope)', { a: 1 });
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as StatesError).error).to.equal('States.Runtime');
        expect((err as StatesError).cause).to.equal(`The JsonPath argument for the field '$.nope' could not be found in the input '{"a":1}'`);
      }
    });
  });
});
