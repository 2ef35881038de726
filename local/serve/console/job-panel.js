// The job's record in the progress table, as `getJob` reads it on the server (counters summed).
import { consoleApi } from './api.js';
import { el, formatDuration } from './dom.js';

export async function jobPanel(jobId) {
  const { job } = await consoleApi('job', { jobId });
  if (!job) return [el('p', { class: 'muted' }, `No progress record for job ${jobId} (yet).`)];
  const share = job.totalUnits > 0 ? Math.min(1, job.doneUnits / job.totalUnits) : 0;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  const rows = [
    ['Job', job.jobId],
    ['Status', el('span', { class: `badge st-${job.status.toLowerCase()}` }, job.status)],
    ['Step', job.step],
    ['Units', `${job.doneUnits} / ${job.totalUnits}`],
    ['Started', job.startedAt],
    ['Updated', job.updatedAt],
    ...(job.finishedAt ? [['Finished', job.finishedAt]] : []),
    ['Elapsed', formatDuration(end - Date.parse(job.startedAt))],
    ...(job.error ? [['Error', job.error]] : []),
    ...(job.cause ? [['Cause', job.cause]] : []),
    ...Object.entries(job.figures ?? {}).map(([name, value]) => [name, value.toLocaleString('en-US')]),
  ];
  const fill = el('div', { class: 'fill' });
  // Through the CSSOM: the page's security policy refuses style attributes.
  fill.style.width = `${(share * 100).toFixed(1)}%`;
  return [
    el('div', { class: 'bar', title: `${Math.round(share * 100)}%` }, fill),
    el('dl', { class: 'meta', id: 'job-record' }, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, v)])),
  ];
}
