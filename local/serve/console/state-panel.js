// The panel beside the graph: the execution's input and output, or the chosen state's status, input,
// output and error; for a Distributed Map (or a state inside one), its items with links to their pages.
import { sfn } from './api.js';
import { consoleLink, el, formatDate, formatDuration, prettyJson, statusBadge } from './dom.js';
import { isDistributedMap } from './graph.js';

const CHILDREN_SHOWN = 25;

/** Every state of the definition by name, nested ones included, with the Distributed Map holding it. */
export function collectStates(machine, inside, out = new Map()) {
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    out.set(name, { state, inside });
    const holder = isDistributedMap(state) ? name : inside;
    for (const branch of state.Branches ?? []) collectStates(branch, holder, out);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) collectStates(processor, holder, out);
  }
  return out;
}

export function countsText(s, mapRuns) {
  if (!s) return undefined;
  const run = s.mapRunArns.length ? mapRuns.get(s.mapRunArns[s.mapRunArns.length - 1]) : undefined;
  if (run) {
    const c = run.itemCounts;
    return `items: ${c.succeeded}/${c.total} ok · ${c.running} running · ${c.failed + c.timedOut + c.aborted} failed`;
  }
  if (s.iterations) {
    const i = s.iterations;
    return `iterations: ${i.succeeded}/${i.total || i.started} ok · ${i.failed} failed`;
  }
  return undefined;
}

export function executionData(x) {
  return [
    el('p', { class: 'muted' }, 'Click a state to see its input and output.'),
    el('h3', {}, 'Execution input'),
    el('pre', { class: 'json', id: 'execution-input' }, prettyJson(x.input)),
    el('h3', {}, 'Execution output'),
    el('pre', { class: 'json', id: 'execution-output' }, x.output === undefined ? '—' : prettyJson(x.output)),
  ];
}

export function stateDetails(name, statesByName, statuses, mapRuns) {
  const entry = statesByName.get(name);
  const s = statuses.get(name);
  const parts = [el('h3', {}, name, ' ', el('span', { class: 'muted' }, entry?.state.Type ?? ''))];
  if (entry?.inside && !s) {
    parts.push(el('p', { class: 'muted' }, `Runs in the child executions of Distributed Map ${entry.inside}: open one below.`));
    parts.push(...mapChildren(statuses.get(entry.inside), mapRuns));
    return parts;
  }
  if (!s) {
    parts.push(el('p', { class: 'muted' }, 'Not reached.'));
    return parts;
  }
  parts.push(el('dl', { class: 'meta' },
    el('dt', {}, 'Status'), el('dd', {}, el('span', { class: `badge st-${s.status}` }, s.status)),
    el('dt', {}, 'Entered'), el('dd', {}, formatDate(s.enteredAt)),
    el('dt', {}, 'Duration'), el('dd', {}, s.enteredAt === undefined ? '' : formatDuration(((s.exitedAt ?? Date.now() / 1000) - s.enteredAt) * 1000)),
    ...(s.attempts > 1 ? [el('dt', {}, 'Attempts'), el('dd', {}, String(s.attempts))] : [])));
  if (s.error !== undefined || s.cause !== undefined) parts.push(el('div', { class: 'error-box' }, el('strong', {}, s.error ?? 'Error'), el('pre', { class: 'cause' }, s.cause ?? '')));
  parts.push(el('h3', {}, 'Input'), el('pre', { class: 'json state-input' }, prettyJson(s.input)));
  parts.push(el('h3', {}, 'Output'), el('pre', { class: 'json state-output' }, s.output === undefined ? '—' : prettyJson(s.output)));
  if (s.mapRunArns.length) parts.push(...mapChildren(s, mapRuns));
  return parts;
}

function mapChildren(s, mapRuns) {
  const arn = s?.mapRunArns[s.mapRunArns.length - 1];
  if (!arn) return [];
  const list = el('ul', { class: 'children' }, el('li', { class: 'muted' }, 'Loading items…'));
  const failedFirst = (x) => (x.status === 'SUCCEEDED' ? 2 : x.status === 'RUNNING' ? 1 : 0);
  sfn('ListExecutions', { mapRunArn: arn, maxResults: 100 }).then(
    ({ executions }) => {
      executions.sort((a, b) => failedFirst(a) - failedFirst(b) || a.startDate - b.startDate);
      list.replaceChildren(...executions.slice(0, CHILDREN_SHOWN).map((x) => el('li', {}, statusBadge(x.status), ' ', consoleLink({ execution: x.executionArn }, x.name))));
      if (executions.length > CHILDREN_SHOWN) list.append(el('li', { class: 'muted' }, `and ${executions.length - CHILDREN_SHOWN} more`));
    },
    (err) => list.replaceChildren(el('li', { class: 'problem' }, err.message)),
  );
  const run = mapRuns.get(arn);
  return [el('h3', {}, 'Map Run items'), el('p', { class: 'muted' }, run ? `${run.status} · max concurrency ${run.maxConcurrency || 'unbounded'}` : ''), list];
}
