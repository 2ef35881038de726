// The history table: one row per event, its state, time since the start, and its details folded.
import { arnName, el, formatDate, formatDuration } from './dom.js';
import { detailsKey } from './state-status.js';

export function historyRow(e, stateName, start) {
  const details = e[detailsKey(e.type)];
  const failed = /(Failed|TimedOut|Aborted)$/.test(e.type);
  return el('tr', { class: failed ? 'failed' : undefined, 'data-event': e.id },
    el('td', {}, String(e.id)),
    el('td', { title: formatDate(e.timestamp) }, `+${formatDuration((e.timestamp - start) * 1000)}`),
    el('td', {}, e.type),
    el('td', {}, stateName ?? ''),
    el('td', {}, details ? folded(summary(e.type, details), details) : ''));
}

// The JSON is written out when first unfolded: a long history has thousands of rows, few ever opened.
function folded(title, details) {
  const pre = el('pre', { class: 'json' });
  const node = el('details', {}, el('summary', {}, title), pre);
  node.addEventListener('toggle', () => {
    if (node.open && !pre.firstChild) pre.textContent = JSON.stringify(details, null, 2);
  });
  return node;
}

function summary(type, d) {
  if (d.error !== undefined || d.cause !== undefined) return `${d.error ?? ''}${d.cause ? `: ${String(d.cause).slice(0, 160)}` : ''}`;
  if (type === 'TaskScheduled') {
    try {
      const fn = JSON.parse(d.parameters ?? '{}').FunctionName;
      if (fn) return `${d.resourceType}:${d.resource} ${arnName(fn)}`;
    } catch {
      // parameters not JSON: fall through to the resource alone
    }
    return `${d.resourceType}:${d.resource}`;
  }
  if (d.mapRunArn) return arnName(d.mapRunArn);
  return 'details';
}
