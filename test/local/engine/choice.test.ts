import { expect } from 'chai';
import { evaluateChoiceRule, matchesWildcard, parseTimestamp, selectChoice, type ChoiceRule } from '../../../local/engine/choice';
import { StatesError } from '../../../local/engine/errors';

const T0 = '2012-10-09T19:00:55Z';
const T1 = '2012-10-09T19:00:56Z';

function check(rule: ChoiceRule, input: unknown): boolean {
  return evaluateChoiceRule(rule, input);
}

describe('local/engine/choice', () => {
  it('runs the AWS guide\'s "Choice State Example" to ValueInTwenties', () => {
    const state = {
      Choices: [
        { Not: { Variable: '$.type', StringEquals: 'Private' }, Next: 'Public' },
        { Variable: '$.value', NumericEquals: 0, Next: 'ValueIsZero' },
        {
          And: [
            { Variable: '$.value', NumericGreaterThanEquals: 20 },
            { Variable: '$.value', NumericLessThan: 30 },
          ],
          Next: 'ValueInTwenties',
        },
      ],
      Default: 'DefaultState',
    };
    expect(selectChoice(state, { type: 'Private', value: 22 })).to.equal('ValueInTwenties');
    expect(selectChoice(state, { type: 'Public', value: 22 })).to.equal('Public');
    expect(selectChoice(state, { type: 'Private', value: 0 })).to.equal('ValueIsZero');
    expect(selectChoice(state, { type: 'Private', value: 30 })).to.equal('DefaultState');
  });

  it('returns undefined when nothing matches and there is no Default', () => {
    expect(selectChoice({ Choices: [{ Variable: '$.a', NumericEquals: 1, Next: 'X' }] }, { a: 2 })).to.equal(undefined);
  });

  it('takes the first matching rule in order', () => {
    const state = {
      Choices: [
        { Variable: '$.a', NumericGreaterThan: 0, Next: 'First' },
        { Variable: '$.a', NumericGreaterThan: 1, Next: 'Second' },
      ],
    };
    expect(selectChoice(state, { a: 5 })).to.equal('First');
  });

  describe('string comparisons (Java compareTo order)', () => {
    const cases: Array<[keyof ChoiceRule, string, string, boolean]> = [
      ['StringEquals', 'Hello', 'Hello', true],
      ['StringEquals', ' ', '     ', false],
      ['StringLessThan', 'A', 'AB', true],
      ['StringLessThan', 'AB', 'A', false],
      ['StringLessThan', '', '', false],
      ['StringGreaterThan', 'AB', 'A', true],
      ['StringGreaterThan', 'B', 'a', false], // 'B' (66) sorts before 'a' (97)
      ['StringLessThanEquals', '', '', true],
      ['StringLessThanEquals', 'b', 'a', false],
      ['StringGreaterThanEquals', 'A', 'A', true],
      ['StringGreaterThanEquals', 'A', 'AB', false],
    ];
    for (const [op, value, operand, expected] of cases) {
      it(`${op}: ${JSON.stringify(value)} vs ${JSON.stringify(operand)} is ${expected}`, () => {
        expect(check({ Variable: '$.v', [op]: operand }, { v: value })).to.equal(expected);
        expect(check({ Variable: '$.v', [`${op}Path`]: '$.w' }, { v: value, w: operand })).to.equal(expected);
      });
    }

    it('is false, not an error, when the variable is not a string', () => {
      for (const v of [null, 0, 1.1, [], [''], {}, { A: 0 }, false, true]) {
        expect(check({ Variable: '$.v', StringEquals: 'HelloWorld' }, { v }), JSON.stringify(v)).to.equal(false);
        expect(check({ Variable: '$.v', StringLessThan: 'zzz' }, { v }), JSON.stringify(v)).to.equal(false);
      }
      expect(check({ Variable: '$.v', StringEqualsPath: '$.w' }, { v: 'a', w: 1 })).to.equal(false);
    });
  });

  describe('numeric comparisons', () => {
    const cases: Array<[keyof ChoiceRule, number, number, boolean]> = [
      ['NumericEquals', 1, 1.0, true],
      ['NumericEquals', 1, 1.5, false],
      ['NumericLessThan', -1, 0, true],
      ['NumericLessThan', 0, 0, false],
      ['NumericGreaterThan', 2.5, 2, true],
      ['NumericGreaterThan', 2, 2, false],
      ['NumericLessThanEquals', 2, 2, true],
      ['NumericLessThanEquals', 3, 2, false],
      ['NumericGreaterThanEquals', 2, 2, true],
      ['NumericGreaterThanEquals', 1, 2, false],
    ];
    for (const [op, value, operand, expected] of cases) {
      it(`${op}: ${value} vs ${operand} is ${expected}`, () => {
        expect(check({ Variable: '$.v', [op]: operand }, { v: value })).to.equal(expected);
        expect(check({ Variable: '$.v', [`${op}Path`]: '$.w' }, { v: value, w: operand })).to.equal(expected);
      });
    }

    it('does not match a numeric string ("Step Functions doesn\'t attempt to match a numeric field to a string value")', () => {
      expect(check({ Variable: '$.v', NumericEquals: 1 }, { v: '1' })).to.equal(false);
      expect(check({ Variable: '$.v', NumericGreaterThanPath: '$.w' }, { v: 5, w: '1' })).to.equal(false);
    });
  });

  describe('boolean comparisons', () => {
    it('BooleanEquals and BooleanEqualsPath compare booleans', () => {
      expect(check({ Variable: '$.v', BooleanEquals: true }, { v: true })).to.equal(true);
      expect(check({ Variable: '$.v', BooleanEquals: true }, { v: false })).to.equal(false);
      expect(check({ Variable: '$.v', BooleanEqualsPath: '$.w' }, { v: false, w: false })).to.equal(true);
      expect(check({ Variable: '$.v', BooleanEqualsPath: '$.w' }, { v: false, w: true })).to.equal(false);
    });

    it('does not treat "true", 1 or null as booleans', () => {
      for (const v of ['true', 1, null, 0]) expect(check({ Variable: '$.v', BooleanEquals: true }, { v })).to.equal(false);
      expect(check({ Variable: '$.v', BooleanEquals: false }, { v: 0 })).to.equal(false);
    });
  });

  describe('timestamp comparisons', () => {
    const cases: Array<[keyof ChoiceRule, string, string, boolean]> = [
      ['TimestampEquals', T0, T0, true],
      ['TimestampEquals', T0, T1, false],
      ['TimestampLessThan', T0, T1, true],
      ['TimestampLessThan', T1, T0, false],
      ['TimestampGreaterThan', T1, T0, true],
      ['TimestampGreaterThan', T0, T0, false],
      ['TimestampLessThanEquals', T0, T0, true],
      ['TimestampLessThanEquals', T1, T0, false],
      ['TimestampGreaterThanEquals', T0, T0, true],
      ['TimestampGreaterThanEquals', T0, T1, false],
    ];
    for (const [op, value, operand, expected] of cases) {
      it(`${op}: ${value} vs ${operand} is ${expected}`, () => {
        expect(check({ Variable: '$.v', [op]: operand }, { v: value })).to.equal(expected);
        expect(check({ Variable: '$.v', [`${op}Path`]: '$.w' }, { v: value, w: operand })).to.equal(expected);
      });
    }

    it('compares instants, not text: offsets and fractions count', () => {
      expect(check({ Variable: '$.v', TimestampEquals: '2016-08-18T17:33:00Z' }, { v: '2016-08-18T19:33:00+02:00' })).to.equal(true);
      expect(check({ Variable: '$.v', TimestampEquals: '2016-08-18T17:33:00Z' }, { v: '2016-08-18T17:33:00.000Z' })).to.equal(true);
      expect(check({ Variable: '$.v', TimestampGreaterThan: '2016-08-18T17:33:00Z' }, { v: '2016-08-18T17:33:00.000000001Z' })).to.equal(true);
      expect(check({ Variable: '$.v', TimestampLessThan: '2016-08-18T17:33:00Z' }, { v: '2016-08-18T12:33:01-05:00' })).to.equal(false);
    });

    it('is false when the variable is not a timestamp', () => {
      for (const v of [null, 0, '', ' ', '2023-02-24 12:15:56.832957', [], {}, true]) {
        expect(check({ Variable: '$.v', TimestampEquals: T0 }, { v }), JSON.stringify(v)).to.equal(false);
      }
    });

    it('accepts only RFC 3339 with an uppercase T and Z, and real dates', () => {
      expect(parseTimestamp('2016-08-18T17:33:00Z')).to.equal(BigInt(Date.UTC(2016, 7, 18, 17, 33, 0)) * 1_000_000n);
      expect(parseTimestamp('0099-01-01T00:00:00Z')).to.not.equal(parseTimestamp('1999-01-01T00:00:00Z'));
      for (const bad of ['2016-08-18t17:33:00Z', '2016-08-18T17:33:00z', '2016-08-18T17:33:00', '2016-02-30T00:00:00Z', '2016-13-01T00:00:00Z', '2016-08-18T24:00:00Z', '2016-08-18 17:33:00Z']) {
        expect(parseTimestamp(bad), bad).to.equal(null);
      }
    });
  });

  describe('StringMatches', () => {
    it('matches the ASL specification\'s examples', () => {
      expect(matchesWildcard('foo23.log', 'foo*.log')).to.equal(true);
      expect(matchesWildcard('zebra.log', '*.log')).to.equal(true);
      expect(matchesWildcard('foobar.zebra', 'foo*.*')).to.equal(true);
      expect(check({ Variable: '$.foo', StringMatches: 'log-*.txt' }, { foo: 'log-2024.txt' })).to.equal(true);
    });

    it('anchors both ends and lets * match nothing', () => {
      expect(matchesWildcard('foo.log.bak', '*.log')).to.equal(false);
      expect(matchesWildcard('xfoo.log', 'foo*')).to.equal(false);
      expect(matchesWildcard('foo', 'foo*')).to.equal(true);
      expect(matchesWildcard('', '*')).to.equal(true);
      expect(matchesWildcard('aXbXc', 'a*b*c')).to.equal(true);
      expect(matchesWildcard('aab', 'a*b*ab')).to.equal(false); // needs at least a+b+ab = 4 characters
      expect(matchesWildcard('abab', 'a*b*ab')).to.equal(true);
      expect(matchesWildcard('ababab', 'a*b*ab')).to.equal(true);
    });

    it('treats \\* as a literal asterisk and \\\\ as a literal backslash', () => {
      expect(matchesWildcard('log-*.txt', 'log-\\*.txt')).to.equal(true);
      expect(matchesWildcard('log-1.txt', 'log-\\*.txt')).to.equal(false);
      expect(matchesWildcard('a\\b', 'a\\\\b')).to.equal(true);
      expect(matchesWildcard('a\\xyz', 'a\\\\*')).to.equal(true);
    });

    it('gives no special meaning to regex characters', () => {
      expect(matchesWildcard('a.c', 'a.c')).to.equal(true);
      expect(matchesWildcard('abc', 'a.c')).to.equal(false);
      expect(matchesWildcard('a+b', 'a+*')).to.equal(true);
    });

    it('is false for a non-string variable', () => {
      expect(check({ Variable: '$.v', StringMatches: '*' }, { v: 1 })).to.equal(false);
    });
  });

  describe('type tests', () => {
    it('IsNull, IsNumeric, IsString, IsBoolean, IsTimestamp test the type, each true or false', () => {
      const input = { n: null, num: 1.5, s: 'x', b: false, t: T0 };
      expect(check({ Variable: '$.n', IsNull: true }, input)).to.equal(true);
      expect(check({ Variable: '$.s', IsNull: true }, input)).to.equal(false);
      expect(check({ Variable: '$.s', IsNull: false }, input)).to.equal(true);
      expect(check({ Variable: '$.num', IsNumeric: true }, input)).to.equal(true);
      expect(check({ Variable: '$.s', IsNumeric: true }, input)).to.equal(false);
      expect(check({ Variable: '$.s', IsString: true }, input)).to.equal(true);
      expect(check({ Variable: '$.num', IsString: true }, input)).to.equal(false);
      expect(check({ Variable: '$.b', IsBoolean: true }, input)).to.equal(true);
      expect(check({ Variable: '$.n', IsBoolean: true }, input)).to.equal(false);
      expect(check({ Variable: '$.t', IsTimestamp: true }, input)).to.equal(true);
      expect(check({ Variable: '$.s', IsTimestamp: true }, input)).to.equal(false);
      expect(check({ Variable: '$.s', IsTimestamp: false }, input)).to.equal(true);
    });

    it('IsPresent is true for a present null and false, without error, for a missing key', () => {
      expect(check({ Variable: '$.n', IsPresent: true }, { n: null })).to.equal(true);
      expect(check({ Variable: '$.m', IsPresent: true }, { n: null })).to.equal(false);
      expect(check({ Variable: '$.m', IsPresent: false }, { n: null })).to.equal(true);
    });

    it('guards a comparison with IsPresent inside And (AWS guide example with $.keyThatMightNotExist)', () => {
      const rule: ChoiceRule = {
        And: [
          { Variable: '$.keyThatMightNotExist', IsPresent: true },
          { Variable: '$.keyThatMightNotExist', StringEquals: 'foo' },
        ],
      };
      expect(check(rule, {})).to.equal(false);
      expect(check(rule, { keyThatMightNotExist: 'foo' })).to.equal(true);
    });
  });

  describe('And, Or, Not', () => {
    it('nests', () => {
      const rule: ChoiceRule = {
        Or: [
          { Not: { Variable: '$.a', NumericLessThan: 10 } },
          { And: [{ Variable: '$.b', BooleanEquals: true }, { Not: { Variable: '$.c', IsNull: true } }] },
        ],
      };
      expect(check(rule, { a: 10, b: false, c: null })).to.equal(true);
      expect(check(rule, { a: 1, b: true, c: 'x' })).to.equal(true);
      expect(check(rule, { a: 1, b: true, c: null })).to.equal(false);
      expect(check(rule, { a: 1, b: false, c: 'x' })).to.equal(false);
    });

    it('rejects an empty And/Or', () => {
      expect(() => check({ And: [] }, {})).to.throw(StatesError, 'And');
      expect(() => check({ Or: [] }, {})).to.throw(StatesError, 'Or');
    });
  });

  describe('errors', () => {
    it('fails with States.Runtime when the Variable is missing', () => {
      try {
        check({ Variable: '$.missing', StringEquals: 'x' }, { a: 1 });
        expect.fail('should have thrown');
      } catch (err) {
        expect(err).to.be.instanceOf(StatesError);
        expect((err as StatesError).error).to.equal('States.Runtime');
        expect((err as StatesError).cause).to.equal("Invalid path '$.missing': The choice state's condition path references an invalid value.");
      }
      expect(() => check({ Variable: '$.missing', IsNull: true }, {})).to.throw(StatesError);
    });

    it('fails with States.Runtime when the …Path operand is missing', () => {
      expect(() => check({ Variable: '$.a', NumericEqualsPath: '$.nope' }, { a: 1 })).to.throw(StatesError, '$.nope');
    });

    it('rejects a rule with no operator, two operators, or an operand of the wrong type', () => {
      expect(() => check({ Variable: '$.a' }, { a: 1 })).to.throw(StatesError, 'no comparison operator');
      expect(() => check({ Variable: '$.a', NumericEquals: 1, NumericLessThan: 2 }, { a: 1 })).to.throw(StatesError, 'more than one');
      expect(() => check({ Variable: '$.a', NumericEquals: '1' }, { a: 1 })).to.throw(StatesError, 'NumericEquals');
      expect(() => check({ Variable: '$.a', TimestampEquals: 'yesterday' }, { a: 1 })).to.throw(StatesError, 'TimestampEquals');
      expect(() => check({ Variable: '$.a', IsNull: 'yes' }, { a: 1 })).to.throw(StatesError, 'IsNull');
    });
  });

  it('reads $$ Variables from the context object when one is given', () => {
    expect(evaluateChoiceRule({ Variable: '$$.Execution.Name', StringEquals: 'run-1' }, {}, { Execution: { Name: 'run-1' } })).to.equal(true);
    expect(selectChoice({ Choices: [{ Variable: '$$.State.RetryCount', NumericGreaterThan: 2, Next: 'GiveUp' }], Default: 'Again' }, {}, { State: { RetryCount: 1 } })).to.equal(
      'Again',
    );
  });
});
