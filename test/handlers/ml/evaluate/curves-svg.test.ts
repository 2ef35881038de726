import { expect } from 'chai';
import { curvesSvg, type CurvePoint } from '../../../../handlers/ml/evaluate/curves-svg';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A strict little XML reader, enough for what curvesSvg writes: throws on a tag left open or closed
 * out of order, a duplicate or unquoted attribute, a bare `<` or `&` in text, or anything after the root.
 */
function parseXml(xml: string): XmlElement {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`not well-formed XML at ${at}: ${why} near ${JSON.stringify(xml.slice(at, at + 40))}`);
  };
  const text = (s: string) => {
    if (/<|&(?!(lt|gt|amp|quot|apos);)/.test(s)) fail('bare < or & in text');
    return s;
  };
  if (xml.startsWith('<?xml')) at = xml.indexOf('?>') + 2;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const chunk = xml.slice(at, lt < 0 ? xml.length : lt);
    if (stack.length === 0 && chunk.trim() !== '') fail('text outside the root');
    if (stack.length > 0) stack[stack.length - 1]!.text += text(chunk);
    if (lt < 0) break;
    at = lt;
    const close = /^<\/([A-Za-z][\w:-]*)\s*>/.exec(xml.slice(at));
    if (close) {
      const open = stack.pop();
      if (!open || open.name !== close[1]) fail(`</${close[1]}> closes ${open?.name ?? 'nothing'}`);
      at += close[0].length;
      continue;
    }
    const tag = /^<([A-Za-z][\w:-]*)((?:\s+[A-Za-z][\w:-]*="[^"<]*")*)\s*(\/?)>/.exec(xml.slice(at));
    if (!tag) fail('malformed tag');
    if (root && stack.length === 0) fail('a second root element');
    const attrs: Record<string, string> = {};
    for (const m of tag![2]!.matchAll(/([A-Za-z][\w:-]*)="([^"]*)"/g)) {
      if (m[1]! in attrs) fail(`attribute ${m[1]} twice`);
      attrs[m[1]!] = text(m[2]!);
    }
    const el: XmlElement = { name: tag![1]!, attrs, children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
    else root = el;
    if (tag![3] !== '/') stack.push(el);
    at += tag![0].length;
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> never closed`);
  if (!root) fail('no root element');
  return root!;
}

function all(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}

function polyline(svg: XmlElement, cls: string): [number, number][] {
  const lines = all(svg, 'polyline').filter((p) => p.attrs.class === cls);
  expect(lines, `polylines of class ${cls}`).to.have.length(1);
  const points = lines[0]!.attrs.points!.trim();
  return points === '' ? [] : points.split(/\s+/).map((p) => p.split(',').map(Number) as [number, number]);
}

function check(history: CurvePoint[], opts?: Parameters<typeof curvesSvg>[1]) {
  const text = curvesSvg(history, opts);
  expect(text).not.to.match(/NaN|Infinity|undefined/);
  expect(text).not.to.match(/href|<script|url\(/i);
  const svg = parseXml(text);
  expect(svg.name).to.equal('svg');
  expect(svg.attrs.xmlns).to.equal('http://www.w3.org/2000/svg');
  const [vx, vy, vw, vh] = svg.attrs.viewBox!.split(' ').map(Number) as [number, number, number, number];
  const inside = ([x, y]: [number, number]) => {
    expect(x).to.be.within(vx, vx + vw);
    expect(y).to.be.within(vy, vy + vh);
  };
  const loss = polyline(svg, 'loss');
  const val = polyline(svg, 'val-loss');
  [...loss, ...val].forEach(inside);
  return { svg, text, loss, val };
}

const history = (losses: number[], vals: (number | null)[]): CurvePoint[] => losses.map((loss, i) => ({ epoch: i + 1, loss, valLoss: vals[i]! }));

describe('handlers/ml/evaluate/curves-svg', () => {
  it('draws both curves, a point per epoch, later epochs to the right, lower loss lower down', () => {
    const { svg, loss, val } = check(history([1, 0.6, 0.4, 0.3, 0.25], [1.1, 0.7, 0.5, 0.45, 0.5]), { title: 'penguins <species> & co', bestEpoch: 4 });
    expect(loss).to.have.length(5);
    expect(val).to.have.length(5);
    for (let i = 1; i < 5; i++) {
      expect(loss[i]![0]).to.be.greaterThan(loss[i - 1]![0]);
      expect(loss[i]![1]).to.be.greaterThan(loss[i - 1]![1]); // SVG y grows downwards
    }
    expect(val[4]![1]).to.be.lessThan(val[3]![1]); // 0.5 above 0.45
    expect(val[0]![0]).to.equal(loss[0]![0]);
    const best = all(svg, 'line').filter((l) => l.attrs.class === 'best-epoch');
    expect(best).to.have.length(1);
    expect(Number(best[0]!.attrs.x1)).to.equal(val[3]![0]);
    expect(all(svg, 'circle').find((c) => c.attrs.class === 'best-point')!.attrs.cy).to.equal(String(val[3]![1]));
    const texts = all(svg, 'text').map((t) => t.text);
    expect(texts).to.include('penguins &lt;species&gt; &amp; co');
    expect(texts).to.include.members(['training loss', 'validation loss', 'epoch']);
    expect(texts.filter((t) => /^\d/.test(t)).length).to.be.greaterThan(4); // tick labels
  });

  it('handles a single epoch: a dot per curve, no NaN', () => {
    const { svg, loss, val } = check(history([0.7], [0.8]), { bestEpoch: 1 });
    expect(loss).to.have.length(1);
    expect(val).to.have.length(1);
    expect(all(svg, 'circle').filter((c) => /-point$/.test(c.attrs.class ?? '')).length).to.be.greaterThan(1);
  });

  it('leaves out NaN and null losses, and copes with nothing finite at all', () => {
    const { loss, val } = check(history([1, NaN, 0.5, 0.4], [null, 0.9, NaN, 0.6]));
    expect(loss).to.have.length(3);
    expect(val).to.have.length(2);
    const none = check(history([NaN, NaN], [null, null]));
    expect(none.loss).to.have.length(0);
    expect(none.text).to.include('no finite loss');
    check([]);
  });

  it('copes with huge, tiny and equal values, turning to a log axis over many decades', () => {
    const huge = check(history([1e300, 5e299, 1e299], [1.2e300, 9e299, 8e299]));
    expect(huge.loss).to.have.length(3);
    const tiny = check(history([3e-300, 2e-300, 1e-300], [4e-300, 3e-300, 2e-300]));
    expect(new Set(tiny.loss.map(([, y]) => y)).size).to.equal(3); // still distinguishable
    const flat = check(history([2, 2, 2], [2, 2, 2]));
    expect(new Set(flat.loss.map(([, y]) => y)).size).to.equal(1);
    const decades = check(history([5000, 100, 10, 2], [6000, 120, 12, 3]));
    expect(decades.text).to.include('log scale');
    // On a log axis 5000→100 and 100→2 are similar drops; on a linear one the second would be tiny.
    const [a, b, , d] = decades.loss.map(([, y]) => y);
    expect(b! - a!).to.be.closeTo(d! - b!, 0.25 * (b! - a!));
    const extremes = check(history([Number.MAX_VALUE, 5e-324], [1, Number.MIN_VALUE]));
    expect(extremes.loss).to.have.length(2);
  });

  it('the reader in this test refuses broken XML (so the checks above mean something)', () => {
    expect(() => parseXml('<svg><g></svg>')).to.throw(/closes g/);
    expect(() => parseXml('<svg><text>a < b</text></svg>')).to.throw(/malformed|bare/);
    expect(() => parseXml('<svg a="1" a="2"/>')).to.throw(/twice/);
    expect(() => parseXml('<svg><text>AT&T</text></svg>')).to.throw(/bare/);
  });
});
