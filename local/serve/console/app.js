// The console's pages, one per URL (`./`, `./?machine=<arn>`, `./?execution=<arn>`): plain page loads, so
// every view can be bookmarked and reloaded.
import { el } from './dom.js';
import { showExecution } from './execution-page.js';
import { showExecutions } from './executions-page.js';
import { showMachines } from './machines-page.js';

const params = new URLSearchParams(location.search);
const page = document.getElementById('page');

async function main() {
  if (params.has('execution')) return showExecution(page, params.get('execution'));
  if (params.has('machine')) return showExecutions(page, params.get('machine'), params.get('status') ?? '');
  return showMachines(page);
}

main().catch((err) => {
  page.replaceChildren(el('p', { class: 'problem' }, String(err.message ?? err)));
});
