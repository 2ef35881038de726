// Human progress from history events: states entered on the main line, Map items done/total, retries and
// failures. Follows each event's previousEventId chain to know which state and which Map iteration it is in.
import type { Engine } from './engine';
import type { Execution, HistoryEvent } from './types';

export interface ProgressOptions {
  write(line: string): void;
  /** Minimum gap between two "items done" lines of the same Map. Default 1000 ms. */
  mapIntervalMs?: number;
  now?: () => number;
}

const FAILURES = new Set(['TaskFailed', 'TaskTimedOut', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut']);
const SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled']);
const MAP_ENDS = new Set(['MapStateSucceeded', 'MapStateFailed', 'MapStateAborted']);

interface MapCount {
  name: string;
  total: number;
  done: number;
  failed: number;
  lastPrinted: number;
  /** A Map inside another Map's iteration: counted, never printed (too many lines). */
  nested: boolean;
}

/** Subscribes to `execution`; returns the unsubscribe function. */
export function reportProgress(execution: Execution, opts: ProgressOptions): () => void {
  const interval = opts.mapIntervalMs ?? 1000;
  const now = opts.now ?? Date.now;
  const stateOf = new Map<number, string>();
  const inIteration = new Set<number>();
  const mapOf = new Map<number, MapCount>();
  // MapStateStarted id → the counter of the iteration that Map runs in: its MapState* end event returns to it.
  const enclosingOf = new Map<number, MapCount | undefined>();
  const failures = new Map<number, { error: string; attempt: number }>();
  const attempts = new Map<string, number>();

  const printMap = (m: MapCount, force: boolean) => {
    const t = now();
    if (!force && t - m.lastPrinted < interval) return;
    m.lastPrinted = t;
    opts.write(`  ${m.name}: ${m.done}/${m.total} items done${m.failed ? `, ${m.failed} failed` : ''}`);
  };

  const previousOf = new Map<number, number>();
  const typeOf = new Map<number, string>();
  const scheduledBefore = (id: number): number => {
    let at: number | undefined = id;
    while (at !== undefined && at > 0 && !SCHEDULED.has(typeOf.get(at) ?? '')) at = previousOf.get(at);
    return at ?? 0;
  };

  const onEvent = (e: HistoryEvent) => {
    previousOf.set(e.id, e.previousEventId);
    typeOf.set(e.id, e.type);
    const prev = e.previousEventId;
    const entered = e.stateEnteredEventDetails as { name?: string } | undefined;
    const name = entered?.name ?? stateOf.get(prev) ?? '';
    stateOf.set(e.id, name);
    const nested = inIteration.has(prev) || e.type === 'MapIterationStarted';
    if (nested) inIteration.add(e.id);
    if (mapOf.has(prev) && e.type !== 'MapIterationStarted') mapOf.set(e.id, mapOf.get(prev)!);
    if (MAP_ENDS.has(e.type) && enclosingOf.has(prev)) {
      const enclosing = enclosingOf.get(prev);
      if (enclosing) mapOf.set(e.id, enclosing);
      else mapOf.delete(e.id);
    }

    if (e.type.endsWith('StateEntered') && !nested) opts.write(`▶ ${name} (${e.type.replace('StateEntered', '')})`);
    else if (e.type === 'MapStateStarted') {
      const m = { name, total: (e.mapStateStartedEventDetails as { length: number }).length, done: 0, failed: 0, lastPrinted: 0, nested };
      enclosingOf.set(e.id, mapOf.get(prev));
      mapOf.set(e.id, m);
      if (!nested) printMap(m, true);
    } else if (e.type === 'MapIterationStarted') mapOf.set(e.id, mapOf.get(prev)!);
    else if (e.type === 'MapIterationSucceeded' || e.type === 'MapIterationFailed') {
      const m = mapOf.get(prev);
      if (m) {
        m.done++;
        if (e.type === 'MapIterationFailed') m.failed++;
        if (!m.nested) printMap(m, m.done === m.total);
      }
    } else if (FAILURES.has(e.type)) {
      const details = (Object.entries(e).find(([k]) => k.endsWith('EventDetails'))?.[1] ?? {}) as { error?: string; cause?: string };
      // The attempt number rides on the Scheduled event that began this attempt.
      const attempt = attempts.get(`${name}#${scheduledBefore(prev)}`) ?? 1;
      failures.set(e.id, { error: details.error ?? '', attempt });
      opts.write(`  ✗ ${name}: ${details.error}${details.cause ? ` (${truncate(details.cause, 160)})` : ''}`);
    } else if (SCHEDULED.has(e.type) && failures.has(prev)) {
      const f = failures.get(prev)!;
      attempts.set(`${name}#${e.id}`, f.attempt + 1);
      opts.write(`  ↻ ${name}: retry ${f.attempt} after ${f.error}`);
    } else if (e.type === 'MapRunStarted') {
      opts.write(`  ${name}: Map Run ${String((e.mapRunStartedEventDetails as { mapRunArn: string }).mapRunArn)}`);
    } else if (e.type === 'MapRunFailed') {
      opts.write(`  ✗ ${name}: Map Run failed: ${String((e.mapRunFailedEventDetails as { error?: string }).error)}`);
    }
  };

  for (const e of execution.history) onEvent(e);
  return execution.subscribe(onEvent);
}

/** Distributed Map children that fail: one line each, with their Error and Cause. */
export function reportChildExecutions(engine: Engine, opts: ProgressOptions): () => void {
  return engine.onExecutionStarted((child, parentArn) => {
    if (!parentArn) return;
    void child.done.then((r) => {
      if (r.status !== 'SUCCEEDED') opts.write(`  ✗ child ${child.name}: ${r.error ?? r.status}${r.cause ? ` (${truncate(r.cause, 160)})` : ''}`);
    });
  });
}

/**
 * Distributed Map progress, "<Map>: N/total items done": when the Map Run starts, as items finish (at most one
 * line per `mapIntervalMs` unless another tenth of the items is done), and once more when it ends.
 */
export function reportMapRuns(engine: Engine, opts: ProgressOptions): () => void {
  const interval = opts.mapIntervalMs ?? 1000;
  const now = opts.now ?? Date.now;
  const printed = new Map<string, { at: number; done: number }>();
  return engine.onMapRunProgress((p) => {
    const done = p.succeeded + p.failed;
    const last = printed.get(p.mapRunArn);
    const tenth = Math.max(1, Math.ceil(p.total / 10));
    // The last item's line is the closing one, printed when the Map Run ends.
    const due = p.status !== 'RUNNING'
      || !last
      || (done !== last.done && done < p.total && (now() - last.at >= interval || Math.floor(done / tenth) > Math.floor(last.done / tenth)));
    if (!due) return;
    if (p.status === 'RUNNING') printed.set(p.mapRunArn, { at: now(), done });
    else printed.delete(p.mapRunArn);
    opts.write(`  ${p.stateName}: ${done}/${p.total} items done${p.failed ? `, ${p.failed} failed` : ''}`);
  });
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
