import jsonata from 'jsonata';
const e = jsonata('$states.input.i + 1');
const c = jsonata('$states.input.i < 5000');
let t = performance.now();
let n = 0;
for (let i = 0; i < 20000; i++) { n += await e.evaluate(undefined, { states: { input: { i } } }); await c.evaluate(undefined, { states: { input: { i } } }); }
console.log('per eval us', (performance.now() - t) / 40000 * 1000);
const f = jsonata('$random()');
console.log(await f.evaluate(undefined, { random: () => 0.5 }));
const g = jsonata('$eval("1")');
try { console.log(await g.evaluate(undefined, { eval: undefined })); } catch (err) { console.log('err', err.code, err.message); }
const h = jsonata('$x + $y');
try { await h.evaluate(undefined, { x: 1, y: 'a' }); } catch (err) { console.log('err', err.code, err.message, err.position, err.token); }
const k = jsonata('$states.input.products[calories=0]');
console.log(JSON.stringify(await k.evaluate(undefined, {states:{input:{products:[{calories:0,a:1},{calories:2}]}}})));
console.log(JSON.stringify(await jsonata('[1..3]').evaluate()));
console.log(typeof await jsonata("function($x){$x}").evaluate());
console.log(await jsonata('$now()').evaluate(undefined, {now: () => 'fixed'}));
try { jsonata('a[1,2)'); } catch (err) { console.log('parse err', err.code, err.message); }
console.log(JSON.stringify(jsonata('$states.result.x').ast(), null, 0));
console.log(JSON.stringify(jsonata('phone').ast(), null, 0));
