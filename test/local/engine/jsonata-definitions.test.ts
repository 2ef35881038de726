// Loading JSONata definitions: what CreateStateMachine refuses, in AWS's words where they are known (fields of the
// other query language, a JSONPath state in a JSONata machine), badly delimited or unparsable expressions,
// references JSONata states cannot make; and the valid definitions asl-validator 4.0 would refuse but AWS accepts.
import { expect } from 'chai';
import { problemsOf, run } from './harness';


const jsonata = (states: Record<string, unknown>) => ({ QueryLanguage: 'JSONata', StartAt: Object.keys(states)[0]!, States: states });

describe('loading JSONata definitions', () => {
  it("refuses JSONPath fields in a JSONata state, and JSONata fields in a JSONPath one, as CreateStateMachine words it", () => {
    expect(problemsOf(jsonata({ A: { Type: 'Pass', Parameters: { a: 1 }, ResultPath: '$.x', End: true } }))).to.deep.equal([
      "state 'A': The QueryLanguage is set to 'JSONata', but field 'ResultPath' is only supported for the 'JSONPath' QueryLanguage",
      "state 'A': The QueryLanguage is set to 'JSONata', but field 'Parameters' is only supported for the 'JSONPath' QueryLanguage",
    ]);
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Pass', Output: { a: 1 }, End: true } } })).to.deep.equal([
      "state 'A': The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage",
    ]);
    const nested = problemsOf(jsonata({
      M: { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } }, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.e', Next: 'C' }], End: true },
      C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, Next: 'D' }], Default: 'D' },
      D: { Type: 'Succeed' },
    }));
    expect(nested).to.include("state 'M': ItemReader: The QueryLanguage is set to 'JSONata', but field 'Parameters' is only supported for the 'JSONPath' QueryLanguage");
    expect(nested).to.include("state 'M': Catch[0]: The QueryLanguage is set to 'JSONata', but field 'ResultPath' is only supported for the 'JSONPath' QueryLanguage");
    expect(nested).to.include("state 'C': Choices[0]: The QueryLanguage is set to 'JSONata', but field 'Variable' is only supported for the 'JSONPath' QueryLanguage");
    expect(nested).to.include("state 'C': Choices[0]: a JSONata Choice rule must have a Condition");
  });

  it("refuses a JSONPath state in a JSONata machine, QueryLanguage on a Map's processor, Assign in Succeed", () => {
    expect(problemsOf(jsonata({ A: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } }))).to.deep.equal([
      "state 'A': 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
    ]);
    expect(problemsOf({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { QueryLanguage: 'JSONata', StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true } } }))
      .to.deep.equal(["state 'M': ItemProcessor: Field 'QueryLanguage' is not supported (a state's QueryLanguage goes on the state)"]);
    expect(problemsOf({ StartAt: 'A', States: { A: { Type: 'Succeed', Assign: { a: 1 } } } })).to.deep.equal(["state 'A': Field 'Assign' is not supported in a Succeed state"]);
  });

  it('refuses badly delimited and unparsable expressions, naming the field', () => {
    expect(problemsOf(jsonata({ A: { Type: 'Pass', Output: { a: '{% 1 ', b: ' {% 1 %}', c: '{% a[1,2) %}', d: '{% %}' }, End: true } }))).to.deep.equal([
      "state 'A': Output/a: a JSONata string must start with '{%' and end with '%}', with nothing before or after them: \"{% 1 \"",
      "state 'A': Output/b: a JSONata string must start with '{%' and end with '%}', with nothing before or after them: \" {% 1 %}\"",
      "state 'A': Output/c: INVALID_JSONATA_EXPRESSION: S0202: Expected \"]\", got \",\" in 'a[1,2)'",
      "state 'A': Output/d: INVALID_JSONATA_EXPRESSION: the JSONata string {% %} holds no expression",
    ]);
  });

  it("refuses the input document at an expression's top level and $$ anywhere (UNSUPPORTED_JSONATA_EXPRESSION), not a name inside a predicate", () => {
    expect(problemsOf(jsonata({ A: { Type: 'Pass', Output: { v: '{% phone %}', w: '{% $count($$.x) %}', x: '{% $.total %}', ok: '{% $states.input.items[value > 3].{"k": name} %}' }, End: true } }))).to.deep.equal([
      "state 'A': Output/v: UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported.",
      "state 'A': Output/w: UNSUPPORTED_JSONATA_EXPRESSION: Reference to '$$' is not supported.",
      "state 'A': Output/x: UNSUPPORTED_JSONATA_EXPRESSION: Reference to '$' at the top level is not supported.",
    ]);
  });

  it('refuses $states.result outside a Task, Map or Parallel Output and Assign, and $states.errorOutput outside a catcher', () => {
    const problems = problemsOf(jsonata({
      P: { Type: 'Pass', Output: '{% $states.result %}', Next: 'T' },
      T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Echo', Arguments: '{% $states.result %}', Output: '{% $states.errorOutput %}',
        Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.errorOutput %}', Assign: { r: '{% $states.result %}' }, Next: 'D' }], End: true },
      D: { Type: 'Succeed' },
    }));
    expect(problems).to.deep.equal([
      "state 'P': Output: UNSUPPORTED_JSONATA_EXPRESSION: '$states.result' is only available in the Output and Assign of a Task, Map or Parallel state.",
      "state 'T': Output: UNSUPPORTED_JSONATA_EXPRESSION: '$states.errorOutput' is only available in a catcher's Output and Assign.",
      "state 'T': Arguments: UNSUPPORTED_JSONATA_EXPRESSION: '$states.result' is only available in the Output and Assign of a Task, Map or Parallel state.",
      "state 'T': Catch[0]/Assign/r: UNSUPPORTED_JSONATA_EXPRESSION: '$states.result' is only available in the Output and Assign of a Task, Map or Parallel state.",
    ]);
  });

  it('refuses values a field cannot hold: an Assign that is not an object, an Items that is neither an array nor an expression', () => {
    expect(problemsOf(jsonata({ A: { Type: 'Pass', Assign: 'x', Next: 'M' }, M: { Type: 'Map', Items: 'not an expression', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } }))).to.deep.equal([
      "state 'A': Assign: must be a JSON object (variable names to values), got \"x\"",
      "state 'M': Items: must be a JSON array or a JSONata string ({% ... %}) giving one, got \"not an expression\"",
    ]);
  });

  it("accepts and runs what AWS accepts and asl-validator 4.0 does not: Output of any JSON type, a boolean Condition, no spaces inside {% %}, line breaks, empty strings", async () => {
    const result = await run(jsonata({
      Number: { Type: 'Pass', Output: 42, Next: 'List' },
      List: { Type: 'Pass', Output: [1, '{%$states.input + 1%}', { a: '' }], Next: 'Check' },
      Check: { Type: 'Choice', Choices: [{ Condition: true, Next: 'Block' }], Default: 'Block' },
      Block: { Type: 'Pass', Output: { sum: '{% (\n  $a := $states.input[0];\n  $a + $states.input[1]\n) %}', text: 'line 1\nline 2', empty: '' }, Next: 'Stop' },
      Stop: { Type: 'Fail', Error: 'Done', Cause: '' },
    }), {});
    expect(result.error).to.equal('Done');
    expect(result.cause).to.equal('');
    const block = result.history.find((e) => e.type === 'PassStateExited' && (e.stateExitedEventDetails as { name: string }).name === 'Block')!;
    expect(JSON.parse((block.stateExitedEventDetails as { output: string }).output)).to.deep.equal({ sum: 44, text: 'line 1\nline 2', empty: '' });
  });
});
