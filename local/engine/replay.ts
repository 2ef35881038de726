// Replay: how an execution continues from its recorded history, after a crash (resume) or on
// RedriveExecution. The execution runs its definition again from the start; every event it is about to
// record that its history already holds at the same place is taken from the history instead of being
// recorded twice, and a task whose outcome is recorded is not run again: its recorded result is used.
//
// "The same place" is the event's key, `<thread>#<seq>`: the thread is the line of states it ran on ('' for
// the execution itself, `<parent>/<seq of ParallelStateStarted or MapStateStarted>.<branch or item index>` for
// a Parallel branch or an inline Map iteration) and seq counts that thread's events. Keys do not depend on
// timing, so concurrent branches replay the same way however they interleave.
//
// Redrive (AWS: "continues the failed execution from the unsuccessful step ... doesn't rerun successful
// steps; for Inline Map or Parallel, only the iterations and branches that failed or aborted") is a replay
// with the unsuccessful part of the history set aside: in each thread on the failed path, the state left
// open is re-entered (a Task, Pass, Wait or Fail from scratch; a Parallel or inline Map keeps its started
// events and redrives its open branches; a Distributed Map keeps its Map Run and redrives its failed items).
import type { HistoryEvent } from './types';

const OUTCOMES = new Set([
  'TaskSucceeded', 'TaskFailed', 'TaskTimedOut',
  'LambdaFunctionSucceeded', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut',
]);
const CLOSING = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);
const COMPOSITE_STARTS = new Set(['ParallelStateStarted', 'MapStateStarted', 'MapRunStarted']);

export interface Replay {
  /** The recorded event at `key` if it is of `type`: the caller takes it instead of recording a new one. */
  take(key: string, type: string): HistoryEvent | undefined;
  /** The recorded event at `key`, whatever its type. */
  peek(key: string): HistoryEvent | undefined;
  /** The recorded outcome (…Succeeded/Failed/TimedOut) of the task whose next event would be at `key`. */
  outcome(key: string): HistoryEvent | undefined;
  /** How many times the Map Run started at `key` (its MapRunStarted) has been redriven. */
  mapRunRound(key: string): number;
}

export function eventKey(thread: string, seq: number): string {
  return `${thread}#${seq}`;
}

function splitKey(key: string): { thread: string; seq: number } {
  const at = key.lastIndexOf('#');
  return { thread: key.slice(0, at), seq: Number(key.slice(at + 1)) };
}

/**
 * The replay of a recorded history. Redrives recorded in it (`ExecutionRedriven`) are applied where they
 * happened, so loading the same history always gives the same replay; `redrive: true` adds one more at the end.
 */
export function buildReplay(events: readonly HistoryEvent[], keys: readonly string[], opts: { redrive?: boolean } = {}): Replay {
  const index = new Map<string, HistoryEvent>();
  const rounds = new Map<string, number>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.type === 'ExecutionRedriven') setAsideUnsuccessful(index, rounds);
    else if (keys[i]) index.set(keys[i]!, event);
  }
  if (opts.redrive) setAsideUnsuccessful(index, rounds);
  return {
    take(key, type) {
      const event = index.get(key);
      return event?.type === type ? event : undefined;
    },
    peek: (key) => index.get(key),
    outcome(key) {
      const event = index.get(key);
      return event && OUTCOMES.has(event.type) ? event : undefined;
    },
    mapRunRound: (key) => rounds.get(key) ?? 0,
  };
}

/** Removes from `index` what a redrive runs again (see the file comment); counts redriven Map Runs in `rounds`. */
function setAsideUnsuccessful(index: Map<string, HistoryEvent>, rounds: Map<string, number>): void {
  const threads = new Map<string, { seq: number; key: string; event: HistoryEvent }[]>();
  for (const [key, event] of index) {
    const { thread, seq } = splitKey(key);
    let list = threads.get(thread);
    if (!list) threads.set(thread, (list = []));
    list.push({ seq, key, event });
  }
  for (const list of threads.values()) list.sort((a, b) => a.seq - b.seq);

  const dropFrom = (list: { key: string }[], from: number) => {
    for (let i = from; i < list.length; i++) index.delete(list[i]!.key);
  };
  const visit = (thread: string) => {
    const list = threads.get(thread) ?? [];
    let open = -1;
    for (let i = 0; i < list.length; i++) {
      const type = list[i]!.event.type;
      if (type.endsWith('StateEntered')) open = i;
      else if (type.endsWith('StateExited')) open = -1;
    }
    if (open < 0) {
      // Nothing left open in this thread: it finished; only a closing Execution* event goes.
      list.forEach((e, i) => CLOSING.has(e.event.type) && dropFrom(list, i));
      return;
    }
    const enteredType = list[open]!.event.type;
    let started = -1;
    if (enteredType === 'ParallelStateEntered' || enteredType === 'MapStateEntered') {
      for (let i = open + 1; i < list.length; i++) if (COMPOSITE_STARTS.has(list[i]!.event.type)) started = i;
    }
    if (started < 0) {
      dropFrom(list, open);
      return;
    }
    const start = list[started]!;
    dropFrom(list, started + 1);
    if (start.event.type === 'MapRunStarted') {
      rounds.set(start.key, (rounds.get(start.key) ?? 0) + 1);
      return;
    }
    // The branches (or iterations) of the last attempt: each redrives what it left open.
    const prefix = `${thread}/${start.seq}.`;
    for (const child of threads.keys()) {
      if (child.startsWith(prefix) && /^\d+$/.test(child.slice(prefix.length))) visit(child);
    }
  };
  visit('');
}
