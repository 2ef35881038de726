// The console talks to the server it came from, as any AWS client does: Step Functions' JSON protocol on
// `/` (no signature needed locally), and a few console-only endpoints under /console/api/.

export async function sfn(action, body = {}) {
  const res = await fetch('/', {
    method: 'POST',
    headers: { 'X-Amz-Target': `AWSStepFunctions.${action}`, 'Content-Type': 'application/x-amz-json-1.0' },
    body: JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`${action}: ${data.__type ?? res.status}: ${data.message ?? ''}`);
  return data;
}

/** Every page of a listing action, concatenated. */
export async function sfnAll(action, body, key) {
  const all = [];
  let nextToken;
  do {
    const page = await sfn(action, { ...body, ...(nextToken ? { nextToken } : {}) });
    all.push(...(page[key] ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

export async function consoleApi(path, params) {
  const res = await fetch(`api/${path}?${new URLSearchParams(params)}`);
  const data = await res.json();
  if (!res.ok) throw new Error(data.message ?? `${path}: HTTP ${res.status}`);
  return data;
}

/**
 * An execution's history, read once in full and then only its new events: newest first (reverseOrder)
 * until an event already held, so polling a long execution costs one short page per poll.
 */
export function historyFollower(executionArn) {
  const events = [];
  return {
    events,
    async update() {
      if (events.length === 0) {
        events.push(...(await sfnAll('GetExecutionHistory', { executionArn, maxResults: 1000 }, 'events')));
        return events;
      }
      const lastId = events[events.length - 1].id;
      const fresh = [];
      let nextToken;
      for (;;) {
        const page = await sfn('GetExecutionHistory', { executionArn, reverseOrder: true, maxResults: 200, ...(nextToken ? { nextToken } : {}) });
        const newer = page.events.filter((e) => e.id > lastId);
        fresh.push(...newer);
        nextToken = page.nextToken;
        if (newer.length < page.events.length || !nextToken) break;
      }
      events.push(...fresh.reverse());
      return events;
    },
  };
}
