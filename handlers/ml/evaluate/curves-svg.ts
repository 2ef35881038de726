// curves.svg: training and validation loss per epoch, as one standalone SVG file (no scripts, fonts or
// links, so it opens the same in any browser, offline, and is safe to serve from the job's bucket).
//
// The y axis turns logarithmic when every loss is positive and they span at least two decades: a
// regression loss that starts at thousands and ends near 1 is otherwise a flat line after epoch 2.
// Non-finite losses (a diverged model, a missing validation loss) are left out of their line, so
// nothing in the file is ever NaN or Infinity.

export interface CurvePoint {
  epoch: number;
  loss: number;
  valLoss: number | null;
}

export interface CurvesOptions {
  title?: string;
  /** Marked with a dashed line and a dot on the validation curve. */
  bestEpoch?: number;
}

const WIDTH = 720;
const HEIGHT = 420;
const PLOT = { left: 80, right: WIDTH - 24, top: 48, bottom: HEIGHT - 56 };
const COLORS = { loss: '#1f77b4', valLoss: '#d62728', best: '#2ca02c', axis: '#333', grid: '#ddd' };

interface Scale {
  /** Position in [0, 1] along the axis. */
  at(v: number): number;
  ticks: number[];
}

export function curvesSvg(history: readonly CurvePoint[], opts: CurvesOptions = {}): string {
  const epochs = history.map((h) => h.epoch).filter(Number.isFinite);
  const losses = history.flatMap((h) => [h.loss, h.valLoss]).filter((v): v is number => v !== null && Number.isFinite(v));
  const x = linearScale(epochs.length ? Math.min(...epochs) : 0, epochs.length ? Math.max(...epochs) : 1, true);
  const y = lossScale(losses);
  const px = (e: number) => PLOT.left + x.at(e) * (PLOT.right - PLOT.left);
  const py = (v: number) => PLOT.bottom - y.at(v) * (PLOT.bottom - PLOT.top);

  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`);
  parts.push(`<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(opts.title ?? 'Loss per epoch')}</text>`);
  for (const t of y.ticks) {
    const ty = num(py(t));
    parts.push(`<line x1="${PLOT.left}" y1="${ty}" x2="${PLOT.right}" y2="${ty}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${PLOT.left - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle" font-size="11">${escapeXml(tickLabel(t))}</text>`);
  }
  for (const t of x.ticks) {
    const tx = num(px(t));
    parts.push(`<line x1="${tx}" y1="${PLOT.bottom}" x2="${tx}" y2="${PLOT.bottom + 5}" stroke="${COLORS.axis}"/>`);
    parts.push(`<text x="${tx}" y="${PLOT.bottom + 18}" text-anchor="middle" font-size="11">${escapeXml(tickLabel(t))}</text>`);
  }
  parts.push(`<polyline class="axes" points="${PLOT.left},${PLOT.top} ${PLOT.left},${PLOT.bottom} ${PLOT.right},${PLOT.bottom}" fill="none" stroke="${COLORS.axis}"/>`);
  parts.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${HEIGHT - 14}" text-anchor="middle" font-size="12">epoch</text>`);
  parts.push(`<text transform="translate(18 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">loss${y.log ? ' (log scale)' : ''}</text>`);

  const series = [
    { name: 'loss', label: 'training loss', color: COLORS.loss, value: (h: CurvePoint) => h.loss },
    { name: 'val-loss', label: 'validation loss', color: COLORS.valLoss, value: (h: CurvePoint) => h.valLoss },
  ];
  for (const s of series) {
    const points = history.filter((h) => Number.isFinite(h.epoch) && isFiniteNumber(s.value(h))).map((h) => [num(px(h.epoch)), num(py(s.value(h)!))] as const);
    parts.push(`<polyline class="${s.name}" points="${points.map(([a, b]) => `${a},${b}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    // A line through one point draws nothing: a dot shows a one-epoch run.
    if (points.length === 1) parts.push(`<circle class="${s.name}-point" cx="${points[0]![0]}" cy="${points[0]![1]}" r="3" fill="${s.color}"/>`);
  }

  const best = opts.bestEpoch;
  if (best !== undefined && Number.isFinite(best) && epochs.length && best >= Math.min(...epochs) && best <= Math.max(...epochs)) {
    const bx = num(px(best));
    parts.push(`<line class="best-epoch" x1="${bx}" y1="${PLOT.top}" x2="${bx}" y2="${PLOT.bottom}" stroke="${COLORS.best}" stroke-dasharray="5 4"/>`);
    parts.push(`<text x="${bx + 4}" y="${PLOT.top + 12}" font-size="11" fill="${COLORS.best}">best epoch ${escapeXml(tickLabel(best))}</text>`);
    const v = history.find((h) => h.epoch === best)?.valLoss;
    if (isFiniteNumber(v)) parts.push(`<circle class="best-point" cx="${bx}" cy="${num(py(v))}" r="4" fill="${COLORS.best}"/>`);
  }

  const lx = PLOT.right - 150;
  series.forEach((s, i) => {
    const ly = PLOT.top + 14 + i * 18;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 30}" y="${ly}" dominant-baseline="middle" font-size="12">${s.label}</text>`);
  });
  if (losses.length === 0) parts.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" font-size="13">no finite loss to plot</text>`);

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">`,
    ...parts.map((p) => `  ${p}`),
    '</svg>',
    '',
  ].join('\n');
}

function isFiniteNumber(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A coordinate as text: two decimals, and never NaN whatever went wrong upstream. */
function num(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 100) / 100 : 0;
}

function lossScale(values: number[]): Scale & { log: boolean } {
  if (values.length === 0) return { ...linearScale(0, 1, false), log: false };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (lo > 0 && hi / lo >= 100) return { ...logScale(lo, hi), log: true };
  return { ...linearScale(lo, hi, false), log: false };
}

/** A [0, 1] position computed on halves, so a span near Number.MAX_VALUE does not overflow. */
function position(v: number, lo: number, hi: number): number {
  const t = (v / 2 - lo / 2) / (hi / 2 - lo / 2);
  return Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0.5;
}

function linearScale(min: number, max: number, integers: boolean): Scale {
  let lo = min;
  let hi = max;
  if (!(hi > lo)) {
    // One value: centre it in a range of its own size (or 1 around 0).
    const pad = integers ? 1 : Math.abs(lo) > 0 ? Math.abs(lo) * 0.5 : 1;
    lo -= pad;
    hi += pad;
  }
  const ticks = niceTicks(lo, hi, integers);
  if (ticks.length >= 2) {
    // Extend to whole ticks when that keeps the data within a tick of the edges.
    lo = Math.min(lo, ticks[0]!);
    hi = Math.max(hi, ticks[ticks.length - 1]!);
  }
  return { at: (v) => position(v, lo, hi), ticks: ticks.filter((t) => Number.isFinite(t) && t >= lo && t <= hi) };
}

function niceTicks(lo: number, hi: number, integers: boolean): number[] {
  const span = hi / 2 - lo / 2; // half the span: no overflow
  const rough = (2 * span) / 5;
  if (!(rough > 0) || !Number.isFinite(rough)) return [lo, hi];
  const power = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  if (integers) step = Math.max(1, Math.round(step));
  if (!(step > 0) || !Number.isFinite(step)) return [lo, hi];
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step);
  if (!Number.isFinite(first) || !Number.isFinite(last) || last - first > 20) return [lo, hi];
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) {
    const t = k * step;
    if (Number.isFinite(t)) ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

function logScale(lo: number, hi: number): Scale {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const every = Math.max(1, Math.ceil((b - a) / 8));
  const ticks: number[] = [];
  for (let e = a; e <= b; e += every) if (Number.isFinite(10 ** e) && 10 ** e > 0) ticks.push(10 ** e);
  return { at: (v) => (b > a ? Math.min(1, Math.max(0, (Math.log10(v) - a) / (b - a))) : 0.5), ticks };
}

function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
