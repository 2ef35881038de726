// What each state of an execution did, read from its history: status, last input and output, attempts,
// error, and its Map's counts. A state's events are found by following previousEventId back to the
// `…StateEntered` event that opened them (Parallel branches interleave, so order alone would not do).

const DONE = new Set(['SUCCEEDED']);

/**
 * @returns {Map<string, {name, status, input?, output?, error?, cause?, attempts, enteredAt?, exitedAt?,
 *   mapRunArns: string[], iterations?: {total, started, succeeded, failed}}>}
 *   status: running | succeeded | failed | caught | aborted
 */
export function stateStatuses(events, executionStatus) {
  const owners = eventStateNames(events);
  const states = new Map();
  const stateOf = (name) => {
    let s = states.get(name);
    if (!s) states.set(name, (s = { name, status: 'running', attempts: 0, mapRunArns: [], failing: false }));
    return s;
  };

  for (const event of events) {
    const { type } = event;
    if (type.startsWith('Execution')) continue;
    if (type.endsWith('StateEntered')) {
      const s = stateOf(event.stateEnteredEventDetails.name);
      Object.assign(s, { status: 'running', input: event.stateEnteredEventDetails.input, output: undefined, error: undefined, cause: undefined, attempts: 0, failing: false, enteredAt: event.timestamp, exitedAt: undefined });
      continue;
    }
    if (type.endsWith('StateExited')) {
      const s = stateOf(event.stateExitedEventDetails.name);
      Object.assign(s, { status: s.failing ? 'caught' : 'succeeded', output: event.stateExitedEventDetails.output, exitedAt: event.timestamp });
      continue;
    }
    if (type.startsWith('MapIteration')) {
      countIteration(stateOf(event[detailsKey(type)].name), type);
      continue;
    }
    const name = owners.get(event.id);
    if (name === undefined) continue;
    const s = stateOf(name);
    const details = event[detailsKey(type)] ?? {};
    if (type === 'MapRunStarted') s.mapRunArns.push(details.mapRunArn);
    if (type === 'MapStateStarted') s.iterations = { total: details.length ?? 0, started: 0, succeeded: 0, failed: 0 };
    if (/(Failed|TimedOut|Aborted)$/.test(type)) {
      s.failing = true;
      if (details.error !== undefined) s.error = details.error;
      if (details.cause !== undefined) s.cause = details.cause;
    } else {
      // A retry schedules the work again: the failure before it was not the state's outcome.
      s.failing = false;
      if (type === 'TaskScheduled' || type === 'ActivityScheduled') s.attempts += 1;
    }
  }

  if (!DONE.has(executionStatus) && executionStatus !== 'RUNNING') {
    for (const s of states.values()) if (s.status === 'running') s.status = executionStatus === 'ABORTED' ? 'aborted' : 'failed';
  }
  return states;
}

function countIteration(s, type) {
  s.iterations ??= { total: 0, started: 0, succeeded: 0, failed: 0 };
  if (type === 'MapIterationStarted') s.iterations.started += 1;
  else if (type === 'MapIterationSucceeded') s.iterations.succeeded += 1;
  else if (type === 'MapIterationFailed' || type === 'MapIterationAborted') s.iterations.failed += 1;
}

/** `TaskFailed` → `taskFailedEventDetails`, as the API names each event's details. */
export function detailsKey(type) {
  return `${type[0].toLowerCase()}${type.slice(1)}EventDetails`;
}

/** The state each event belongs to (undefined for execution-level events), by event id. */
export function eventStateNames(events) {
  const byId = new Map(events.map((e) => [e.id, e]));
  const names = new Map();
  const own = (e) => e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? (e.type.startsWith('MapIteration') ? e[detailsKey(e.type)]?.name : undefined);
  for (const event of events) {
    const path = [];
    let e = event;
    let name;
    while (e) {
      if (names.has(e.id)) {
        name = names.get(e.id);
        break;
      }
      name = own(e);
      if (name !== undefined || e.type.startsWith('Execution')) break;
      path.push(e.id);
      e = byId.get(e.previousEventId);
    }
    if (e && !names.has(e.id)) names.set(e.id, name);
    for (const id of path) names.set(id, name);
  }
  return names;
}
