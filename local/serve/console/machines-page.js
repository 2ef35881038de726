// The state machines of the account (every pipeline's, and any created through the API).
import { sfnAll } from './api.js';
import { consoleLink, el, formatDate } from './dom.js';

export async function showMachines(page) {
  document.title = 'State machines · longhaul console';
  const machines = await sfnAll('ListStateMachines', {}, 'stateMachines');
  machines.sort((a, b) => a.name.localeCompare(b.name));
  page.replaceChildren(
    el('h1', {}, 'State machines'),
    machines.length === 0
      ? el('p', { class: 'muted' }, 'No state machines.')
      : el('table', { class: 'list', id: 'machines' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', {}, 'Type'), el('th', {}, 'Created'), el('th', {}, 'ARN'))),
          el('tbody', {}, machines.map((m) =>
            el('tr', {},
              el('td', {}, consoleLink({ machine: m.stateMachineArn }, m.name)),
              el('td', {}, m.type),
              el('td', {}, formatDate(m.creationDate)),
              el('td', { class: 'arn' }, m.stateMachineArn))))),
  );
}
