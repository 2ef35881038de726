// One state machine: its graph, and its executions filtered by status, newest first, refreshed while shown.
import { sfn } from './api.js';
import { arnName, consoleLink, el, formatDate, formatDuration, setCrumbs, statusBadge } from './dom.js';
import { layoutMachine, renderGraph } from './graph.js';

const FILTERS = ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const PAGE_SIZE = 50;
const REFRESH_MS = 2000;

export async function showExecutions(page, machineArn, status) {
  if (!FILTERS.includes(status)) throw new Error(`status must be one of ${FILTERS.filter(Boolean).join(', ')}, got "${status}"`);
  const machine = await sfn('DescribeStateMachine', { stateMachineArn: machineArn });
  document.title = `${machine.name} · longhaul console`;
  setCrumbs(el('span', {}, machine.name));

  const filters = el('nav', { class: 'filters', id: 'filters' }, FILTERS.map((f) =>
    f === status
      ? el('span', { class: 'filter current' }, f || 'All')
      : consoleLink({ machine: machineArn, ...(f ? { status: f } : {}) }, f || 'All')));
  const body = el('tbody');
  const more = el('button', { type: 'button', hidden: true }, 'More');
  const table = el('table', { class: 'list', id: 'executions' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', {}, 'Status'), el('th', {}, 'Started'), el('th', {}, 'Duration'))),
    body);
  let graph;
  try {
    graph = renderGraph(layoutMachine(JSON.parse(machine.definition)));
    graph.classList.add('definition');
  } catch (err) {
    graph = el('p', { class: 'problem' }, `The definition cannot be drawn: ${err.message}`);
  }
  page.replaceChildren(
    el('h1', {}, machine.name),
    el('p', { class: 'arn' }, machine.stateMachineArn),
    el('div', { class: 'split' },
      el('section', { class: 'panel grow' }, el('h2', {}, 'Executions'), filters, table, more),
      el('section', { class: 'panel' }, el('h2', {}, 'Definition'), el('div', { class: 'graph-wrap' }, graph))),
  );

  const request = { stateMachineArn: machineArn, maxResults: PAGE_SIZE, ...(status ? { statusFilter: status } : {}) };
  let nextToken;
  let extraPages = false;
  const rows = (executions) => executions.map((x) =>
    el('tr', { 'data-execution': x.executionArn },
      el('td', {}, consoleLink({ execution: x.executionArn }, x.name)),
      el('td', {}, statusBadge(x.status)),
      el('td', {}, formatDate(x.startDate)),
      el('td', {}, formatDuration(((x.stopDate ?? Date.now() / 1000) - x.startDate) * 1000))));
  const firstPage = async () => {
    const listed = await sfn('ListExecutions', request);
    body.replaceChildren(...rows(listed.executions));
    if (listed.executions.length === 0) body.append(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, `No ${status ? status.toLowerCase() + ' ' : ''}executions of ${arnName(machineArn)}.`)));
    nextToken = listed.nextToken;
    more.hidden = !nextToken;
  };
  more.addEventListener('click', async () => {
    const listed = await sfn('ListExecutions', { ...request, nextToken });
    extraPages = true;
    body.append(...rows(listed.executions));
    nextToken = listed.nextToken;
    more.hidden = !nextToken;
  });
  await firstPage();
  // New and finishing executions show up without a reload, until more pages are read.
  const timer = setInterval(() => {
    if (extraPages || document.visibilityState === 'hidden') return;
    firstPage().catch((err) => {
      clearInterval(timer);
      table.after(el('p', { class: 'problem' }, `Refresh stopped: ${err.message}`));
    });
  }, REFRESH_MS);
}
