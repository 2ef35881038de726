import { DefinitionError, loadDefinition } from '../local/engine';
const J = 'JSONata';
const cases: Record<string, object> = {
  nospace: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Output: '{%$states.input%}', End: true } } },
  multiline: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% (\n $a := 1;\n $a + 1) %}', End: true } } },
  emptystr: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Output: { x: '', y: 'a\nb' }, End: true } } },
  outputNum: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Output: 42, End: true } } },
  outputArr: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Output: [1, '{% 2 %}'], End: true } } },
  choiceBool: { QueryLanguage: J, StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Condition: true, Next: 'D' }], Default: 'D' }, D: { Type: 'Succeed' } } },
  failEmpty: { QueryLanguage: J, StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E', Cause: '' } } },
  params: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { a: 1 }, ResultPath: '$.x', End: true } } },
  outputInJsonPath: { StartAt: 'A', States: { A: { Type: 'Pass', Output: { a: 1 }, End: true } } },
  downgrade: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } } },
  malformed: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Output: { a: '{% 1 ' , b: ' {% 1 %}'}, End: true } } },
  parseErr: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% a[1,2) %}', End: true } } },
  topLevel: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Output: { v: '{% phone %}', w: '{% $$.x %}', z: '{% $states.input.items[$ > 3] %}' }, End: true } } },
  result: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Pass', Output: '{% $states.result %}', End: true } } },
  errorOut: { QueryLanguage: J, StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:F', Output: '{% $states.errorOutput %}', Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.result %}', Next: 'B' }], End: true }, B: { Type: 'Succeed' } } },
  assignSucceed: { StartAt: 'A', States: { A: { Type: 'Succeed', Assign: { a: 1 } } } },
  badName: { StartAt: 'A', States: { A: { Type: 'Pass', Assign: { '1x': 1, states: 2, 'ok.$': '$.a' }, End: true } } },
  scope: { StartAt: 'A', States: { A: { Type: 'Pass', Assign: { x: 1 }, Next: 'M' }, M: { Type: 'Map', ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', Assign: { 'x.$': '$' }, End: true } } }, End: true } } },
  resultPathVar: { StartAt: 'A', States: { A: { Type: 'Pass', ResultPath: '$x', End: true } } },
  procQL: { StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { QueryLanguage: 'JSONata', StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true } } },
  ruleMix: { QueryLanguage: J, StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, Next: 'D' }], Default: 'D' }, D: { Type: 'Succeed' } } },
  ok: { QueryLanguage: J, StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: '{% $states.input %}' }, Output: '{% $states.result.Payload %}', TimeoutSeconds: '{% 5 %}', HeartbeatSeconds: 2, Assign: { a: '{% $states.result %}' }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X', Output: '{% $states.errorOutput %}', Assign: { err: '{% $states.errorOutput.Error %}' } }], Retry: [{ ErrorEquals: ['States.ALL'] }], End: true }, X: { Type: 'Succeed' } } },
};
for (const [name, def] of Object.entries(cases)) {
  try { loadDefinition(def); console.log(name, 'OK'); } catch (e) { console.log(name, e instanceof DefinitionError ? JSON.stringify(e.problems) : e); }
}
