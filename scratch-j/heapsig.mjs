import { readFileSync } from 'node:fs';
const snap = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const m = snap.snapshot.meta; const nf = m.node_fields; const ef = m.edge_fields; const ntypes = m.node_types[0]; const etypes = m.edge_types[0];
const N = nf.length, E = ef.length; const nodes = snap.nodes, edges = snap.edges, strings = snap.strings;
const edgeCountIdx = nf.indexOf('edge_count');
const agg = new Map();
let e = 0;
for (let i = 0; i < nodes.length; i += N) {
  const type = ntypes[nodes[i]]; const name = strings[nodes[i + 1]]; const size = nodes[i + 3]; const ec = nodes[i + edgeCountIdx];
  let sig = `${type}:${name}`;
  if (type === 'object' && name === 'Object' || type === 'array' || type === 'closure') {
    const props = [];
    for (let k = 0; k < ec && props.length < 6; k++) {
      const et = etypes[edges[(e + k) * E]]; const en = edges[(e + k) * E + 1];
      if (et === 'property') props.push(strings[en]);
      if (et === 'context' && type === 'closure') props.push('ctx:' + strings[en]);
    }
    sig += '{' + props.join(',') + '}';
  }
  e += ec;
  const a = agg.get(sig) ?? [0, 0]; a[0]++; a[1] += size; agg.set(sig, a);
}
console.log([...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 40).map(([k, [c, s]]) => `${c}\t${(s / 1e6).toFixed(2)}MB\t${k.slice(0, 150)}`).join('\n'));
