// One execution, live while it runs: its graph coloured by what each state did, the chosen state's input
// and output, the job's progress record, the timeline and cost, the history; Stop and Redrive.
import { historyFollower, sfn } from './api.js';
import { arnName, consoleLink, el, formatDate, formatDuration, latestInto, setCrumbs, statusBadge } from './dom.js';
import { layoutMachine, paintGraph, renderGraph } from './graph.js';
import { historyRow } from './history-table.js';
import { jobPanel } from './job-panel.js';
import { costPanel, timelinePanel } from './report-panels.js';
import { collectStates, countsText, executionData, stateDetails } from './state-panel.js';
import { eventStateNames, stateStatuses } from './state-status.js';

const POLL_MS = 1000;
// The timeline reads every Map item's history on the server: redrawn while running at most every 5 s,
// and never taking more than a tenth of the time.
const TIMELINE_MIN_INTERVAL_MS = 5000;
const TIMELINE_MAX_SHARE = 0.1;

export async function showExecution(page, executionArn) {
  const [first, forExecution] = await Promise.all([
    sfn('DescribeExecution', { executionArn }),
    sfn('DescribeStateMachineForExecution', { executionArn }),
  ]);
  const definition = JSON.parse(forExecution.definition);
  const statesByName = collectStates(definition);
  document.title = `${first.name} · longhaul console`;
  // A Distributed Map's child runs `<machine>/<label>`: its crumb leads to the machine.
  const machineArn = first.stateMachineArn.split('/')[0];
  setCrumbs(consoleLink({ machine: machineArn }, arnName(machineArn)), el('span', {}, first.name));

  const ui = {
    status: el('span', { id: 'status' }),
    meta: el('dl', { class: 'meta', id: 'meta' }),
    problem: el('div', { class: 'error-box', id: 'error', hidden: true }),
    actionProblem: el('p', { class: 'problem', id: 'action-problem', hidden: true }),
    refreshProblem: el('p', { class: 'problem', id: 'refresh-problem', hidden: true }),
    stop: el('button', { type: 'button', id: 'stop', class: 'danger', disabled: true }, 'Stop'),
    redrive: el('button', { type: 'button', id: 'redrive', disabled: true }, 'Redrive'),
    graphWrap: el('div', { class: 'graph-wrap', id: 'graph' }),
    details: el('div', { id: 'state-details' }),
    job: el('div', { id: 'job' }),
    cost: el('div', { id: 'cost' }),
    timeline: el('div', { id: 'timeline', class: 'timeline-wrap' }),
    history: el('tbody'),
  };
  const graph = renderGraph(layoutMachine(definition));
  ui.graphWrap.append(graph, legend());
  page.replaceChildren(
    el('div', { class: 'title-row' }, el('h1', {}, first.name), ui.status, el('div', { class: 'actions' }, ui.stop, ui.redrive)),
    el('p', { class: 'arn' }, executionArn),
    ui.meta,
    ui.problem,
    ui.actionProblem,
    ui.refreshProblem,
    el('div', { class: 'split' },
      el('section', { class: 'panel' }, el('h2', {}, 'Graph'), ui.graphWrap),
      el('div', { class: 'column grow' },
        el('section', { class: 'panel' }, el('h2', {}, 'Job progress'), ui.job),
        el('section', { class: 'panel' }, el('h2', {}, 'State'), ui.details))),
    el('section', { class: 'panel' }, el('h2', {}, 'Timeline'), ui.timeline),
    el('section', { class: 'panel' }, el('h2', {}, 'Cost'), ui.cost),
    el('section', { class: 'panel' }, el('h2', {}, 'History'),
      el('table', { class: 'list history', id: 'history' },
        el('thead', {}, el('tr', {}, el('th', {}, 'ID'), el('th', {}, 'Time'), el('th', {}, 'Type'), el('th', {}, 'State'), el('th', {}, 'Details'))),
        ui.history)),
  );

  const follower = historyFollower(executionArn);
  const mapRuns = new Map();
  let execution = first;
  let statuses = new Map();
  let selected;
  let shownEvents = 0;
  let timelineDueAt = 0;
  let timer;
  let lastStatus;

  const jobId = jobIdOf(first.input);
  const fillJob = latestInto(ui.job);
  const fillCost = latestInto(ui.cost);
  const fillTimeline = latestInto(ui.timeline);
  const refreshJob = () => fillJob(() => jobPanel(jobId));
  const refreshCost = () => fillCost(() => costPanel(executionArn));
  const refreshTimeline = async () => {
    const began = Date.now();
    timelineDueAt = Infinity;
    await fillTimeline(() => timelinePanel(executionArn));
    timelineDueAt = Date.now() + Math.max(TIMELINE_MIN_INTERVAL_MS, (Date.now() - began) / TIMELINE_MAX_SHARE);
  };

  // Redrawn only when what it shows changed, so a reader's scroll and text selection survive the polls.
  let shownDetails;
  const renderDetails = () => {
    const s = statuses.get(selected);
    const counts = s ? countsText(s, mapRuns) : countsText(statuses.get(statesByName.get(selected)?.inside), mapRuns);
    const key = JSON.stringify([selected, execution.status, execution.output?.length, s?.status, s?.attempts, s?.output?.length, counts]);
    if (key === shownDetails) return;
    shownDetails = key;
    if (selected === undefined) ui.details.replaceChildren(...executionData(execution));
    else ui.details.replaceChildren(...stateDetails(selected, statesByName, statuses, mapRuns));
  };

  const refresh = async () => {
    const [described, events] = await Promise.all([sfn('DescribeExecution', { executionArn }), follower.update()]);
    execution = described;
    statuses = stateStatuses(events, execution.status);
    for (const s of statuses.values()) {
      for (const arn of s.mapRunArns) {
        const known = mapRuns.get(arn);
        if (!known || known.status === 'RUNNING' || execution.status === 'RUNNING') mapRuns.set(arn, await sfn('DescribeMapRun', { mapRunArn: arn }));
      }
    }
    paintGraph(graph, (name) => statuses.get(name)?.status, (name) => countsText(statuses.get(name), mapRuns));
    showHeader(ui, execution);
    const names = eventStateNames(events);
    ui.history.append(...events.slice(shownEvents).map((e) => historyRow(e, names.get(e.id), events[0].timestamp)));
    shownEvents = events.length;
    renderDetails();
    const running = execution.status === 'RUNNING';
    if (jobId !== undefined && (running || lastStatus !== execution.status)) refreshJob();
    if (lastStatus !== execution.status) {
      refreshCost();
      refreshTimeline();
    } else if (running && Date.now() >= timelineDueAt) refreshTimeline();
    lastStatus = execution.status;
    ui.refreshProblem.hidden = true;
    if (running) timer = setTimeout(poll, POLL_MS);
  };
  const poll = () =>
    refresh().catch((err) => {
      ui.refreshProblem.textContent = `Refresh failed (trying again): ${err.message}`;
      ui.refreshProblem.hidden = false;
      timer = setTimeout(poll, POLL_MS * 3);
    });

  graph.addEventListener('click', (event) => {
    const g = event.target.closest('g.state');
    selected = g ? g.getAttribute('data-state') : undefined;
    for (const s of graph.querySelectorAll('g.state.selected')) s.classList.remove('selected');
    if (g) g.classList.add('selected');
    renderDetails();
  });
  graph.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') event.target.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  });

  ui.stop.addEventListener('click', async () => {
    if (!confirm(`Stop ${execution.name}? Running tasks are abandoned and the execution ends ABORTED.`)) return;
    await act(ui, () => sfn('StopExecution', { executionArn, cause: 'Stopped from the longhaul console' }));
    clearTimeout(timer);
    await poll();
  });
  ui.redrive.addEventListener('click', async () => {
    // One token per click: a retried request redrives once.
    const clientToken = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
    if (!(await act(ui, () => sfn('RedriveExecution', { executionArn, clientToken })))) return;
    clearTimeout(timer);
    await poll();
  });

  if (jobId === undefined) ui.job.replaceChildren(el('p', { class: 'muted' }, 'The execution input names no jobId: no progress record to show.'));
  await poll();
}

async function act(ui, call) {
  ui.actionProblem.hidden = true;
  try {
    await call();
    return true;
  } catch (err) {
    ui.actionProblem.textContent = err.message;
    ui.actionProblem.hidden = false;
    return false;
  }
}

function showHeader(ui, x) {
  ui.status.replaceChildren(statusBadge(x.status));
  const end = x.stopDate ?? Date.now() / 1000;
  const items = [
    ['Started', formatDate(x.startDate)],
    ['Stopped', x.stopDate ? formatDate(x.stopDate) : '—'],
    ['Duration', formatDuration((end - x.startDate) * 1000)],
    ['Redrives', String(x.redriveCount ?? 0)],
  ];
  if (x.redriveStatus && x.status !== 'SUCCEEDED' && x.status !== 'RUNNING') items.push(['Redrive', x.redriveStatus === 'REDRIVABLE' ? 'possible' : x.redriveStatusReason ?? x.redriveStatus]);
  ui.meta.replaceChildren(...items.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  ui.problem.hidden = x.error === undefined && x.cause === undefined;
  ui.problem.replaceChildren(el('strong', { class: 'error-name' }, x.error ?? 'Error'), el('pre', { class: 'cause' }, x.cause ?? ''));
  ui.stop.disabled = x.status !== 'RUNNING';
  ui.redrive.disabled = x.redriveStatus !== 'REDRIVABLE';
}

function jobIdOf(input) {
  try {
    const parsed = JSON.parse(input ?? '{}');
    return typeof parsed?.jobId === 'string' ? parsed.jobId : undefined;
  } catch {
    return undefined;
  }
}

function legend() {
  return el('p', { class: 'legend' }, [['succeeded', 'succeeded'], ['running', 'running'], ['failed', 'failed'], ['caught', 'failed, caught'], ['aborted', 'aborted'], ['none', 'not reached']].map(([k, text]) =>
    el('span', { class: `key st-${k}` }, text)));
}
