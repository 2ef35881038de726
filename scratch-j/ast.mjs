import jsonata from 'jsonata';
for (const e of ['$count(phone)', '$', '$$', '$states.input.items[$ > 3]', '{"a": b}', '$x := phone', 'a + 1', '$map($states.input.a, function($x){ b })', '$states.errorOutput', '$merge([$states.input, {"e": $states.errorOutput}])', '(\n $a := 1;\n $a + 1)', '$states.input.products[calories=0]', 'x ? y : z', '$states.input.{"k": v}', '$.total', '$order[total > 10]'])
  console.log(e.replace(/\n/g,' '), '=>', JSON.stringify(jsonata(e).ast(), (k, v) => k === 'position' ? undefined : v));
