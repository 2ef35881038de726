import { run } from '../test/local/engine/harness';
const cases: [string, object, unknown][] = [
  ['io', { QueryLanguage: 'JSONata', StartAt: 'Basic Input and Output', States: { 'Basic Input and Output': { QueryLanguage: 'JSONata', Type: 'Succeed', Output: { lastName: "{% 'Last=>' & $states.input.customer.lastName %}", orderValue: '{% $states.input.order.total %}' } } } },
    { customer: { firstName: 'Martha', lastName: 'Rivera' }, order: { items: 7, total: 27.91 } }],
  ['vars', { StartAt: 'FirstState', States: { FirstState: { Type: 'Pass', Assign: { make: 'Infiniti', model: 'G35', year: 2006 }, Next: 'SecondState' }, SecondState: { Type: 'Pass', QueryLanguage: 'JSONata', Output: "{% $year & ' ' & $make & ' ' & $model %}", End: true } } }, {}],
  ['scope', { QueryLanguage: 'JSONata', StartAt: 'Get Greeting', States: { 'Get Greeting': { Type: 'Pass', Assign: { outer: 'hello' }, Next: 'Greet Everyone' }, 'Greet Everyone': { Type: 'Map', Items: [1, 2], ItemProcessor: { StartAt: 'Begin', States: { Begin: { Type: 'Pass', Assign: { inner: 'world', hi: '{% $outer %}' }, Next: 'End' }, End: { Type: 'Succeed', Output: '{% $hi %}' } } }, Assign: { outer: 2 }, Next: 'Goodbye' }, Goodbye: { Type: 'Succeed', Output: '{% $outer %}' } } }, {}],
  ['choice', { QueryLanguage: 'JSONata', StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 1 %}', Assign: { r: 'big' }, Next: 'D' }], Default: 'D', Assign: { r: 'small' } }, D: { Type: 'Pass', Output: '{% $r %}', End: true } } }, { n: 5 }],
  ['undefined', { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: { v: '{% $states.input.absent %}' }, End: true } } }, {}],
  ['funcs', { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Output: { p: '{% $partition([1,2,3,4], 3) %}', r: '{% $range(0, 10, 2) %}', h: "{% $hash('abc', 'SHA-256') %}", s: '{% $random(7) %}', u: '{% $uuid() %}', j: '{% $parse(\'{"a":1}\') %}', n: '{% $now() %}' }, End: true } } }, {}],
];
for (const [name, def, input] of cases) {
  const r = await run(def, input);
  console.log(name, r.status, JSON.stringify(r.output), r.error ?? '', r.cause ?? '');
  if (name === 'undefined') console.log(r.history.map((e) => e.type).join(','), JSON.stringify(r.history.find((e) => e.type === 'EvaluationFailed')));
  if (name === 'vars') console.log(JSON.stringify(r.history[2]));
}
