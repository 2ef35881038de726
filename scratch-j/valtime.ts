import { loadDefinition } from '../local/engine';
const t0 = performance.now();
for (let i = 0; i < 20; i++) loadDefinition({ StartAt: 'A', States: { A: { Type: 'Pass', Result: i, End: true } } });
console.log('per load ms', (performance.now() - t0) / 20);
