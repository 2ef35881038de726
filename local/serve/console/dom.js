// DOM built from data with textContent only: execution data is shown, never interpreted as HTML.

export function el(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

export function svg(tag, attrs = {}, ...children) {
  return fill(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);
}

function fill(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Epoch seconds (the API's dates) as local date and time. */
export function formatDate(seconds) {
  if (seconds === undefined) return '';
  const d = new Date(seconds * 1000);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatDuration(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function statusBadge(status) {
  return el('span', { class: `badge st-${String(status).toLowerCase()}`, 'data-status': status }, status);
}

/** JSON text pretty-printed when it parses, as is otherwise. */
export function prettyJson(text) {
  if (text === undefined || text === null) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return String(text);
  }
}

export function consoleLink(params, ...children) {
  return el('a', { href: `./?${new URLSearchParams(params)}` }, ...children);
}

/** The last segment of an ARN: a machine's or execution's name. */
export function arnName(arn) {
  return String(arn).slice(String(arn).lastIndexOf(':') + 1);
}

/** The trail under the title: Machines › machine › execution. */
export function setCrumbs(...items) {
  const parts = [el('a', { href: './' }, 'State machines')];
  for (const item of items) parts.push(el('span', { class: 'sep' }, '›'), item);
  document.getElementById('crumbs').replaceChildren(...parts);
}

/**
 * A panel filled by the latest of its loads: answers can cross (a slow read started while running, a quick
 * one after the end), and an older answer must not replace a newer one. A failed load shows its error.
 */
export function latestInto(target) {
  let generation = 0;
  return async (load) => {
    const mine = ++generation;
    let nodes;
    try {
      nodes = await load();
    } catch (err) {
      nodes = [el('p', { class: 'problem' }, err.message)];
    }
    if (mine === generation) target.replaceChildren(...nodes);
  };
}
