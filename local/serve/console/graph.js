// A state machine's graph as SVG: a layered layout from StartAt down (longest path over the forward edges),
// Next, Choice and Default edges solid, Catch edges dashed, loops drawn back up on the right; Parallel and
// Map states are boxes holding their branches' own layouts side by side.
import { svg } from './dom.js';

const NODE_H = 34;
const GAP_X = 22;
const GAP_Y = 38;
const PAD = 12;
const HEADER = 24;
const COUNTS = 16;
const MAP_COUNTS_W = 250;
const CHAR_W = 7.3;
const LOOP_MARGIN = 36;
const START = '\u0000start';
const END = '\u0000end';

function successors(state) {
  const out = [];
  const add = (to, kind) => {
    if (to !== undefined && !out.some((e) => e.to === to && e.kind === kind)) out.push({ to, kind });
  };
  add(state.Next, 'next');
  for (const choice of state.Choices ?? []) add(choice.Next, 'choice');
  add(state.Default, 'choice');
  for (const c of state.Catch ?? []) add(c.Next, 'catch');
  return out;
}

function innerMachines(state) {
  if (state.Type === 'Parallel') return state.Branches ?? [];
  if (state.Type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    return processor ? [processor] : [];
  }
  return [];
}

export function isDistributedMap(state) {
  return state.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** Positions of every state (nested ones relative to their box) and the edges between them. */
export function layoutMachine(machine, top = true) {
  const states = machine.States ?? {};
  const names = Object.keys(states);
  if (names.length === 0 && !top) return { width: 2 * PAD, height: 2 * PAD, nodes: [], edges: [] };
  const succ = new Map(names.map((n) => [n, successors(states[n]).filter((e) => Object.hasOwn(states, e.to))]));
  if (top) {
    succ.set(START, Object.hasOwn(states, machine.StartAt) ? [{ to: machine.StartAt, kind: 'next' }] : []);
    for (const n of names) {
      const t = states[n].Type;
      if (states[n].End || t === 'Succeed' || t === 'Fail') succ.get(n).push({ to: END, kind: 'next' });
    }
    succ.set(END, []);
  }

  // Depth-first from the start: discovery order for the rows, edges to a state still open are loops.
  const mark = new Map();
  const order = [];
  const post = [];
  const back = new Set();
  const visit = (n) => {
    mark.set(n, 1);
    order.push(n);
    for (const e of succ.get(n)) {
      if (mark.get(e.to) === 1) back.add(`${n}\u0000${e.to}`);
      else if (!mark.has(e.to)) visit(e.to);
    }
    mark.set(n, 2);
    post.push(n);
  };
  visit(top ? START : Object.hasOwn(states, machine.StartAt) ? machine.StartAt : names[0]);
  for (const n of [...names, ...(top ? [END] : [])]) if (!mark.has(n)) visit(n);

  const layer = new Map();
  for (const n of post.reverse()) {
    if (!layer.has(n)) layer.set(n, 0);
    for (const e of succ.get(n)) if (!back.has(`${n}\u0000${e.to}`)) layer.set(e.to, Math.max(layer.get(e.to) ?? 0, layer.get(n) + 1));
  }
  if (top) layer.set(END, Math.max(0, ...names.map((n) => layer.get(n))) + 1);

  const nodes = new Map();
  for (const n of order) nodes.set(n, sizeNode(n, n === START || n === END ? undefined : states[n]));

  // An edge over several rows passes through a narrow placeholder in each row between, so rows make room
  // for it and it does not cut through the states there.
  const chains = [];
  for (const n of order) {
    for (const e of succ.get(n)) {
      const isBack = back.has(`${n}\u0000${e.to}`);
      const via = [];
      for (let l = layer.get(n) + 1; !isBack && l < layer.get(e.to); l++) {
        const id = `\u0001${chains.length}:${l}`;
        nodes.set(id, { name: id, kind: 'via', w: 8, h: 0 });
        layer.set(id, l);
        via.push(id);
      }
      chains.push({ from: n, to: e.to, kind: e.kind, isBack, via });
    }
  }

  // Rows in discovery order, then each row sorted under its parents (one barycentre pass).
  const rows = [];
  const preds = new Map([...nodes.keys()].map((n) => [n, []]));
  for (const n of order) (rows[layer.get(n)] ??= []).push(n);
  for (const c of chains) {
    if (c.isBack) continue;
    const path = [c.from, ...c.via, c.to];
    for (let i = 1; i < path.length; i++) preds.get(path[i]).push(path[i - 1]);
    for (const id of c.via) rows[layer.get(id)].push(id);
  }
  const width = Math.max(0, ...rows.filter(Boolean).map((row) => rowWidth(row, nodes)));
  let y = PAD;
  const placeRow = (row) => {
    let x = PAD + (width - rowWidth(row, nodes)) / 2;
    const h = Math.max(...row.map((n) => nodes.get(n).h));
    for (const n of row) {
      const node = nodes.get(n);
      if (node.kind === 'via') node.h = h;
      node.x = x;
      node.y = y + (h - node.h) / 2;
      x += node.w + GAP_X;
    }
    y += h + GAP_Y;
  };
  for (const [i, row] of rows.entries()) {
    if (!row) continue;
    if (i > 0) {
      const centre = (n) => {
        const ps = preds.get(n).filter((p) => nodes.get(p).x !== undefined);
        return ps.length ? ps.reduce((sum, p) => sum + nodes.get(p).x + nodes.get(p).w / 2, 0) / ps.length : Infinity;
      };
      const keyed = row.map((n, k) => [centre(n), k, n]);
      keyed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      row.splice(0, row.length, ...keyed.map((k) => k[2]));
    }
    placeRow(row);
  }

  let loops = 0;
  const edges = chains.map((c) => {
    const a = nodes.get(c.from);
    const b = nodes.get(c.to);
    if (c.isBack) loops += 1;
    const d = c.isBack ? loopPath(a, b, width + PAD + 8 * loops) : downPath([a, ...c.via.map((id) => nodes.get(id)), b]);
    return { from: c.from, to: c.to, kind: c.kind, d };
  });
  return {
    width: width + 2 * PAD + (loops ? LOOP_MARGIN + 8 * loops : 0),
    height: y - GAP_Y + PAD,
    nodes: [...nodes.values()].filter((n) => n.kind !== 'via'),
    edges,
  };
}

function rowWidth(row, nodes) {
  return row.reduce((sum, n) => sum + nodes.get(n).w, 0) + GAP_X * (row.length - 1);
}

function sizeNode(name, state) {
  if (!state) return { name, kind: 'terminal', label: name === START ? 'Start' : 'End', w: 56, h: 24 };
  const label = name;
  const inner = innerMachines(state).map((m) => layoutMachine(m, false));
  if (inner.length === 0) return { name, kind: 'leaf', type: state.Type, label, w: Math.max(100, label.length * CHAR_W + 28), h: NODE_H };
  const header = HEADER + (state.Type === 'Map' ? COUNTS : 0);
  const innerW = inner.reduce((sum, l) => sum + l.width, 0) + GAP_X * (inner.length - 1);
  // Room for the title (`Each · Distributed Map`) and, on a Map, its counts line.
  const title = `${label}  · ${isDistributedMap(state) ? 'Distributed Map' : state.Type}`;
  const w = Math.max(title.length * CHAR_W + 24, state.Type === 'Map' ? MAP_COUNTS_W : 0, innerW + 2 * PAD);
  let x = (w - innerW) / 2;
  const children = inner.map((l) => {
    const placed = { layout: l, x, y: header };
    x += l.width + GAP_X;
    return placed;
  });
  return { name, kind: 'box', type: state.Type, label, title, distributed: isDistributedMap(state), w, h: header + Math.max(...inner.map((l) => l.height)) + PAD / 2, children };
}

/** From the bottom of the first node to the top of the last, straight down through the placeholders between. */
function downPath(path) {
  let d = `M${path[0].x + path[0].w / 2},${path[0].y + path[0].h}`;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1];
    const b = path[i];
    const x1 = a.x + a.w / 2;
    const y1 = a.y + a.h;
    const x2 = b.x + b.w / 2;
    const last = i === path.length - 1;
    const y2 = last ? b.y - 2 : b.y;
    const dy = Math.max(10, (y2 - y1) / 2);
    d += ` C${x1},${y1 + dy} ${x2},${y2 - dy} ${x2},${y2}`;
    if (!last) d += ` L${x2},${b.y + b.h}`;
  }
  return d;
}

function loopPath(a, b, right) {
  const y1 = a.y + a.h / 2;
  const y2 = b.y + b.h / 2;
  return `M${a.x + a.w},${y1} C${right},${y1} ${right},${y2} ${b.x + b.w + 2},${y2}`;
}

/** The SVG element; each state's group carries `data-state` (and `data-inside`: its Distributed Map). */
export function renderGraph(layout) {
  const root = svg('svg', { class: 'graph', width: layout.width, height: layout.height, viewBox: `0 0 ${layout.width} ${layout.height}`, role: 'img' });
  root.append(
    svg('defs', {},
      svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
  );
  drawLayout(root, layout, undefined);
  return root;
}

function drawLayout(parent, layout, inside) {
  for (const e of layout.edges) parent.append(svg('path', { class: `edge edge-${e.kind}`, d: e.d, 'marker-end': 'url(#arrow)' }));
  for (const n of layout.nodes) {
    if (n.kind === 'terminal') {
      parent.append(svg('g', { class: 'terminal', transform: `translate(${n.x},${n.y})` },
        svg('rect', { width: n.w, height: n.h, rx: n.h / 2 }),
        svg('text', { x: n.w / 2, y: n.h / 2 + 4 }, n.label)));
      continue;
    }
    const g = svg('g', { class: `state ${n.kind} st-none`, 'data-state': n.name, 'data-type': n.type, 'data-inside': inside, transform: `translate(${n.x},${n.y})`, tabindex: 0 },
      svg('title', {}, `${n.name} (${n.type}${n.distributed ? ', distributed' : ''})`),
      svg('rect', { width: n.w, height: n.h, rx: 6 }));
    if (n.kind === 'box') {
      g.append(svg('text', { class: 'box-label', x: 10, y: 16 }, n.title));
      if (n.type === 'Map') g.append(svg('text', { class: 'counts', x: 10, y: 16 + COUNTS }, ''));
      for (const child of n.children) {
        const inner = svg('g', { transform: `translate(${child.x},${child.y})` });
        drawLayout(inner, child.layout, n.distributed ? n.name : inside);
        g.append(inner);
      }
    } else {
      g.append(svg('text', { x: n.w / 2, y: n.h / 2 + 4 }, n.label));
    }
    parent.append(g);
  }
}

/** Colours each state by status (`statusOf(name)` → running, succeeded, …, or undefined: not reached). */
export function paintGraph(root, statusOf, countsOf) {
  for (const g of root.querySelectorAll('g.state')) {
    const name = g.getAttribute('data-state');
    const inside = g.getAttribute('data-inside');
    // A Distributed Map's inner states run in its child executions: they show the Map's own status.
    const status = statusOf(name) ?? (inside ? statusOf(inside) : undefined) ?? 'none';
    g.setAttribute('class', g.getAttribute('class').replace(/\bst-\S+/, `st-${status}`));
    g.setAttribute('data-status', status);
    const counts = g.querySelector(':scope > text.counts');
    if (counts) counts.textContent = countsOf(name) ?? '';
  }
}
