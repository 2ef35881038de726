import { readFileSync } from 'node:fs';
const snap = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const m = snap.snapshot.meta; const nf = m.node_fields; const types = m.node_types[0];
const N = nf.length; const nodes = snap.nodes; const strings = snap.strings;
const agg = new Map();
for (let i = 0; i < nodes.length; i += N) {
  const type = types[nodes[i]]; const name = strings[nodes[i + 1]]; const size = nodes[i + 3];
  const key = type === 'object' || type === 'closure' ? `${type}:${name}` : type;
  const a = agg.get(key) ?? [0, 0]; a[0]++; a[1] += size; agg.set(key, a);
}
console.log([...agg].sort((a, b) => b[1][1] - a[1][1]).slice(0, 30).map(([k, [c, s]]) => `${k} count=${c} size=${(s / 1e6).toFixed(1)}MB`).join('\n'));
