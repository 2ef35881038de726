// The panels the server composes from the command-line tools' modules: the timeline chart and the cost.
import { consoleApi } from './api.js';
import { el } from './dom.js';

export async function costPanel(executionArn) {
  const cost = await consoleApi('cost', { executionArn });
  return [el('pre', { class: 'cost-text', id: 'cost-text' }, cost.text)];
}

export async function timelinePanel(executionArn) {
  const res = await fetch(`api/timeline.svg?${new URLSearchParams({ executionArn })}`);
  if (!res.ok) throw new Error(`Timeline: ${(await res.json()).message ?? res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const img = el('img', { class: 'timeline', alt: 'timeline of the execution', src: url, id: 'timeline-img' });
  img.addEventListener('load', () => URL.revokeObjectURL(url));
  return [img];
}
