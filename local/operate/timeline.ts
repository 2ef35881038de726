// The execution's Gantt chart as one standalone SVG (and an HTML page around it): a bar per task attempt
// and Map item coloured by outcome, retries marked, a tick at 80% of each function's timeout, and each
// Distributed Map's concurrency over time as a step line. No scripts, fonts or links: it opens anywhere.
import { TIMEOUT_WARNING_SHARE } from '../../infra/timeout-warning';
import type { AttemptOutcome, ExecutionTrace } from './execution-trace';
import {
  OUTCOMES,
  timelineModel,
  type AttemptBar,
  type FunctionTimeouts,
  type TimelineModel,
  type TimelineRow,
} from './timeline-rows';

export type { FunctionTimeouts } from './timeline-rows';

export const OUTCOME_COLOURS: Readonly<Record<AttemptOutcome, string>> = {
  succeeded: '#2e7d32',
  failed: '#c62828',
  'timed-out': '#ef6c00',
  aborted: '#757575',
  running: '#1565c0',
};

const ITEM_COLOURS: Readonly<Record<string, string>> = {
  SUCCEEDED: '#c8e6c9',
  FAILED: '#ffcdd2',
  TIMED_OUT: '#ffe0b2',
  ABORTED: '#e0e0e0',
  RUNNING: '#bbdefb',
};

const SERIES_COLOURS = ['#6a1b9a', '#00838f', '#ad1457', '#4e342e', '#283593'];

/** Drawing geometry. */
export const LAYOUT = { width: 1200, labelWidth: 240, rightPad: 20, top: 34, rowHeight: 18, barHeight: 12, concurrencyHeight: 90 } as const;

export function renderTimelineSvg(trace: ExecutionTrace, functionTimeouts: FunctionTimeouts): string {
  return drawSvg(timelineModel(trace, functionTimeouts), trace);
}

export function renderTimelineHtml(trace: ExecutionTrace, functionTimeouts: FunctionTimeouts): string {
  const svg = renderTimelineSvg(trace, functionTimeouts);
  const { execution } = trace;
  const endMs = (execution.stopDate ?? trace.readAt).getTime();
  const title = `${trace.stateMachineName} / ${execution.name}`;
  const legend = [
    ...OUTCOMES.map((o) => `<span class="key"><i style="background:${OUTCOME_COLOURS[o]}"></i>${o}</span>`),
    `<span class="key"><i style="background:${ITEM_COLOURS.SUCCEEDED}"></i>Map item (child execution)</span>`,
    '<span class="key"><b class="retry">R1</b>a retry (flag and notch where it starts)</span>',
    `<span class="key"><b class="tick"></b>${TIMEOUT_WARNING_SHARE * 100}% of the function's timeout</span>`,
    `<span class="key"><b class="step"></b>Map items running at once</span>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(title)}: timeline</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; }
.meta { color: #555; margin-bottom: 8px; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 8px 0 12px; font-size: 13px; }
.key { display: inline-flex; align-items: center; gap: 5px; }
.key i { display: inline-block; width: 18px; height: 10px; }
.key b.retry { font: bold 10px sans-serif; color: #fff; background: #333; padding: 0 3px; }
.key b.tick { display: inline-block; width: 2px; height: 14px; background: #000; }
.key b.step { display: inline-block; width: 18px; height: 8px; border-top: 2px solid ${SERIES_COLOURS[0]}; border-right: 2px solid ${SERIES_COLOURS[0]}; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<div class="meta">${escapeXml(execution.status)} · ${formatSeconds(endMs - execution.startDate.getTime())} · started ${escapeXml(execution.startDate.toISOString())} · ${trace.tasks.length} task attempt(s), ${trace.mapRuns.reduce((n, r) => n + r.items.length, 0)} Map item(s)${execution.error ? ` · ${escapeXml(execution.error)}: ${escapeXml(execution.cause ?? '')}` : ''}</div>
<div class="legend">
${legend}
</div>
${svg}
</body>
</html>
`;
}

function drawSvg(model: TimelineModel, trace: ExecutionTrace): string {
  const { width, labelWidth, rightPad, top, rowHeight, barHeight, concurrencyHeight } = LAYOUT;
  const x0 = labelWidth;
  const x1 = width - rightPad;
  const span = model.endMs - model.startMs;
  const x = (ms: number) => x0 + ((ms - model.startMs) / span) * (x1 - x0);
  const chartBottom = top + model.rows.length * rowHeight;
  const hasConcurrency = model.concurrency.some((c) => c.steps.length > 1);
  const height = chartBottom + 24 + (hasConcurrency ? concurrencyHeight + 30 : 0);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11"` +
      ` data-start-ms="${model.startMs}" data-end-ms="${model.endMs}" data-x0="${x0}" data-x1="${x1}">`,
  );
  out.push(`<title>${escapeXml(`${trace.stateMachineName} / ${trace.execution.name}: ${trace.execution.status}`)}</title>`);
  out.push(...axis(model, x, top - 6, chartBottom));
  model.rows.forEach((row, i) => out.push(...drawRow(row, top + i * rowHeight, rowHeight, barHeight, x, model.endMs)));
  if (hasConcurrency) out.push(...drawConcurrency(model, x, chartBottom + 30, concurrencyHeight));
  out.push('</svg>');
  return out.join('\n');
}

function axis(model: TimelineModel, x: (ms: number) => number, y: number, bottom: number): string[] {
  const span = model.endMs - model.startMs;
  const step = niceStep(span / 8);
  const out = [`<g class="axis" stroke="#ddd" fill="#555">`];
  for (let t = 0; t <= span; t += step) {
    const px = round(x(model.startMs + t));
    out.push(`<line x1="${px}" y1="${y}" x2="${px}" y2="${bottom}"/><text x="${px}" y="${y - 4}" text-anchor="middle" stroke="none">+${formatSeconds(t)}</text>`);
  }
  out.push('</g>');
  return out;
}

function drawRow(row: TimelineRow, y: number, rowHeight: number, barHeight: number, x: (ms: number) => number, endMs: number): string[] {
  const out: string[] = [];
  const mid = y + rowHeight / 2;
  const barY = round(mid - barHeight / 2);
  out.push(`<g class="row row-${row.kind}">`);
  out.push(`<text x="${LAYOUT.labelWidth - 6}" y="${round(mid + 4)}" text-anchor="end"${row.kind === 'map-run' ? ' font-weight="bold"' : ''}>${escapeXml(truncate(row.label, 38))}</text>`);
  if (row.mapRun) {
    const run = row.mapRun;
    const from = x(run.startDate.getTime());
    const to = x(run.stopDate?.getTime() ?? endMs);
    out.push(
      `<rect class="map-run" x="${round(from)}" y="${barY + 4}" width="${round(Math.max(1, to - from))}" height="${barHeight - 8}" fill="#9e9e9e"><title>${escapeXml(
        `Map Run ${run.mapRunArn}: ${run.status}, ${run.itemCounts.total} items, at most ${run.maxConcurrency || 'unlimited'} at once`,
      )}</title></rect>`,
    );
  }
  if (row.item) {
    const item = row.item;
    const from = x(item.startDate.getTime());
    const to = x(item.stopDate?.getTime() ?? endMs);
    out.push(
      `<rect class="map-item status-${item.status}" x="${round(from)}" y="${barY - 2}" width="${round(Math.max(1, to - from))}" height="${barHeight + 4}" fill="${ITEM_COLOURS[item.status] ?? '#eee'}" data-execution-arn="${escapeXml(item.executionArn)}"><title>${escapeXml(
        `${item.name}: ${item.status} in ${formatSeconds((item.stopDate?.getTime() ?? endMs) - item.startDate.getTime())}${item.error ? ` (${item.error}: ${item.cause ?? ''})` : ''}`,
      )}</title></rect>`,
    );
  }
  for (const bar of row.bars) out.push(...drawBar(bar, barY, barHeight, x, endMs));
  out.push('</g>');
  return out;
}

function drawBar(bar: AttemptBar, barY: number, barHeight: number, x: (ms: number) => number, endMs: number): string[] {
  const { attempt } = bar;
  const from = x(bar.startMs);
  const width = Math.max(1, x(bar.endMs) - from);
  const tip = [
    `${attempt.stateName}${attempt.retry > 0 ? ` retry ${attempt.retry}` : ''}: ${attempt.outcome} in ${formatSeconds(bar.endMs - bar.startMs)}`,
    attempt.functionName ? `function ${attempt.functionName}` : `${attempt.resourceType}:${attempt.resource}`,
    ...(bar.timeoutSeconds !== undefined ? [`${Math.round(((bar.endMs - bar.startMs) / (bar.timeoutSeconds * 1000)) * 100)}% of its ${bar.timeoutSeconds} s timeout`] : []),
    ...(attempt.error ? [`${attempt.error}: ${truncate(attempt.cause ?? '', 300)}`] : []),
  ].join('\n');
  const out = [
    `<rect class="attempt outcome-${attempt.outcome}${attempt.retry > 0 ? ' retry' : ''}" x="${round(from)}" y="${barY}" width="${round(width)}" height="${barHeight}" fill="${OUTCOME_COLOURS[attempt.outcome]}"` +
      ` data-state="${escapeXml(attempt.stateName)}" data-retry="${attempt.retry}" data-start-ms="${bar.startMs}"${attempt.functionName ? ` data-function="${escapeXml(attempt.functionName)}"` : ''}><title>${escapeXml(tip)}</title></rect>`,
  ];
  if (attempt.retry > 0) {
    // A retry starts with a dark notch under a small flag, so retried work stands out from its first try
    // however short the bar; the number fits inside only when the bar is wide enough.
    const fx = round(from);
    out.push(
      `<g class="retry-mark" data-retry="${attempt.retry}"><rect x="${fx}" y="${barY - 3}" width="2" height="${barHeight + 6}" fill="#000"/>` +
        `<path d="M${fx},${barY - 3} l6,-4 l-6,-4 z" fill="#000"/>` +
        (width > 22 ? `<text x="${round(from + 4)}" y="${barY + barHeight - 2}" fill="#fff" font-size="9" font-weight="bold">R${attempt.retry}</text>` : '') +
        '</g>',
    );
  }
  if (bar.timeoutMarkMs !== undefined && bar.timeoutMarkMs <= endMs) {
    const tx = round(x(bar.timeoutMarkMs));
    out.push(
      `<line class="timeout-tick" x1="${tx}" y1="${barY - 3}" x2="${tx}" y2="${barY + barHeight + 3}" stroke="#000" stroke-width="2" data-function="${escapeXml(attempt.functionName ?? '')}" data-timeout-seconds="${bar.timeoutSeconds}"><title>${TIMEOUT_WARNING_SHARE * 100}% of ${escapeXml(attempt.functionName ?? '')}'s ${bar.timeoutSeconds} s timeout</title></line>`,
    );
  }
  return out;
}

function drawConcurrency(model: TimelineModel, x: (ms: number) => number, top: number, height: number): string[] {
  const series = model.concurrency.filter((c) => c.steps.length > 1);
  const max = Math.max(1, ...series.map((s) => Math.max(s.peak, s.mapRun.maxConcurrency)));
  const y = (n: number) => round(top + height - (n / max) * height);
  const out = [
    `<g class="concurrency-panel">`,
    `<text x="${LAYOUT.labelWidth - 30}" y="${top + 4}" text-anchor="end" font-weight="bold">Map items running</text>`,
    `<line x1="${LAYOUT.labelWidth}" y1="${top + height}" x2="${LAYOUT.width - LAYOUT.rightPad}" y2="${top + height}" stroke="#999"/>`,
    `<text x="${LAYOUT.labelWidth - 6}" y="${top + height}" text-anchor="end">0</text>`,
    `<text x="${LAYOUT.labelWidth - 6}" y="${y(max) + 4}" text-anchor="end">${max}</text>`,
  ];
  series.forEach((s, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length]!;
    let d = '';
    let lastY = y(0);
    for (const step of s.steps) {
      const px = round(x(step.atMs));
      d += d === '' ? `M${px},${lastY}` : ` H${px}`;
      lastY = y(step.running);
      d += ` V${lastY}`;
    }
    out.push(
      `<path class="concurrency" d="${d}" fill="none" stroke="${colour}" stroke-width="1.5" data-map-run="${escapeXml(s.mapRun.mapRunArn)}" data-peak="${s.peak}"><title>${escapeXml(
        `${s.mapRun.stateName}: at most ${s.peak} items at once (MaxConcurrency ${s.mapRun.maxConcurrency || 'unlimited'})`,
      )}</title></path>`,
      `<text x="${LAYOUT.labelWidth - 30}" y="${top + 20 + i * 13}" text-anchor="end" fill="${colour}">${escapeXml(truncate(`${s.mapRun.stateName} (peak ${s.peak})`, 38))}</text>`,
    );
  });
  out.push('</g>');
  return out;
}

/** 1, 2 or 5 times a power of ten, in milliseconds, at least 1 ms. */
function niceStep(roughMs: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(roughMs, 1)));
  for (const m of [1, 2, 5, 10]) if (m * power >= roughMs) return m * power;
  return 10 * power;
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${Number(s.toFixed(s < 1 ? 3 : s < 10 ? 2 : 1))} s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m} min ${Math.round(s - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function escapeXml(text: string): string {
  // Control characters (in an error's cause, say) are not allowed in XML 1.0 at all.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
