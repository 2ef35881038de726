// The timeline's content, before any drawing: which rows there are, which bars each holds, where the 80%
// timeout marks fall, and how many Map items ran at once. Times stay in epoch milliseconds here.
import { TIMEOUT_WARNING_SHARE } from '../../infra/timeout-warning';
import type { AttemptOutcome, ExecutionTrace, MapItemTrace, MapRunTrace, TaskAttempt } from './execution-trace';

export interface AttemptBar {
  attempt: TaskAttempt;
  startMs: number;
  endMs: number;
  /** Where 80% of the function's timeout falls (Lambda's clock starts with the invocation); undefined when unknown. */
  timeoutMarkMs?: number;
  timeoutSeconds?: number;
}

export interface TimelineRow {
  kind: 'state' | 'map-run' | 'map-item';
  label: string;
  /** The Map item this row shows (its child execution spans the row's background bar). */
  item?: MapItemTrace;
  /** The Map Run this row heads. */
  mapRun?: MapRunTrace;
  bars: AttemptBar[];
}

export interface ConcurrencyStep {
  atMs: number;
  running: number;
}

export interface ConcurrencySeries {
  mapRun: MapRunTrace;
  steps: ConcurrencyStep[];
  peak: number;
}

export interface TimelineModel {
  startMs: number;
  endMs: number;
  rows: TimelineRow[];
  concurrency: ConcurrencySeries[];
}

/** Seconds, by deployed function name (Lambda GetFunction's `Timeout`). */
export type FunctionTimeouts = Readonly<Record<string, number>>;

export function timelineModel(trace: ExecutionTrace, functionTimeouts: FunctionTimeouts): TimelineModel {
  const readMs = trace.readAt.getTime();
  const startMs = trace.execution.startDate.getTime();
  const bar = (attempt: TaskAttempt): AttemptBar => {
    const from = (attempt.startedAt ?? attempt.scheduledAt).getTime();
    const timeoutSeconds = attempt.functionName === undefined ? undefined : functionTimeouts[attempt.functionName];
    return {
      attempt,
      startMs: from,
      endMs: attempt.endedAt?.getTime() ?? readMs,
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds, timeoutMarkMs: from + TIMEOUT_WARNING_SHARE * timeoutSeconds * 1000 }),
    };
  };

  // The job's own tasks: one row per state (and inline Map iteration), so a state's retries and the
  // rounds of a time-boxed loop line up on one row.
  const stateRows = new Map<string, TimelineRow & { firstMs: number }>();
  const itemRows = new Map<string, TimelineRow>();
  for (const attempt of trace.tasks) {
    if (attempt.mapRunArn !== undefined) {
      const row = itemRows.get(attempt.executionArn);
      if (row) row.bars.push(bar(attempt));
      else itemRows.set(attempt.executionArn, { kind: 'map-item', label: '', bars: [bar(attempt)] });
      continue;
    }
    const key = `${attempt.executionArn}\n${attempt.stateName}\n${attempt.iteration.join('.')}`;
    let row = stateRows.get(key);
    if (!row) {
      let label = attempt.iteration.length > 0 ? `${attempt.stateName} [${attempt.iteration.join('][')}]` : attempt.stateName;
      // A state of an execution the job started (states:startExecution) names that execution.
      if (attempt.executionArn !== trace.execution.executionArn) label += ` (${attempt.executionArn.split(':').pop()!.slice(0, 12)})`;
      stateRows.set(key, (row = { kind: 'state', label, bars: [], firstMs: attempt.scheduledAt.getTime() }));
    }
    row.bars.push(bar(attempt));
  }

  // A Distributed Map shows as a heading row, then one row per item (child execution), in start order.
  const sections: Array<{ firstMs: number; rows: TimelineRow[] }> = [...stateRows.values()].map((row) => ({
    firstMs: row.firstMs,
    rows: [{ kind: row.kind, label: row.label, bars: row.bars }],
  }));
  for (const mapRun of trace.mapRuns) {
    const c = mapRun.itemCounts;
    const rows: TimelineRow[] = [
      { kind: 'map-run', label: `${mapRun.stateName} (Map: ${c.succeeded}/${c.total} items ok${c.failed + c.timedOut + c.aborted > 0 ? `, ${c.failed + c.timedOut + c.aborted} not` : ''})`, mapRun, bars: [] },
    ];
    mapRun.items.forEach((item, i) => {
      const row = itemRows.get(item.executionArn) ?? { kind: 'map-item' as const, label: '', bars: [] };
      rows.push({ ...row, kind: 'map-item', label: `${mapRun.stateName} item ${i + 1}`, item });
    });
    sections.push({ firstMs: mapRun.startDate.getTime(), rows });
  }
  sections.sort((a, b) => a.firstMs - b.firstMs);
  const rows = sections.flatMap((s) => s.rows);

  const ends = [
    trace.execution.stopDate?.getTime() ?? readMs,
    ...trace.tasks.map((a) => a.endedAt?.getTime() ?? readMs),
    ...trace.mapRuns.map((r) => r.stopDate?.getTime() ?? readMs),
  ];
  return {
    startMs,
    endMs: Math.max(startMs + 1, ...ends),
    rows,
    concurrency: trace.mapRuns.map((run) => mapConcurrency(run, readMs)),
  };
}

/** How many of a Map Run's items were running over time: a step each time one starts or ends. */
export function mapConcurrency(mapRun: MapRunTrace, nowMs: number): ConcurrencySeries {
  const changes: Array<[number, number]> = [];
  for (const item of mapRun.items) {
    changes.push([item.startDate.getTime(), +1]);
    changes.push([item.stopDate?.getTime() ?? nowMs, -1]);
  }
  // At equal times, ends before starts: an item that ends as the next begins is not concurrency.
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const steps: ConcurrencyStep[] = [{ atMs: mapRun.startDate.getTime(), running: 0 }];
  let running = 0;
  let peak = 0;
  for (const [atMs, delta] of changes) {
    running += delta;
    peak = Math.max(peak, running);
    const last = steps[steps.length - 1]!;
    if (last.atMs === atMs) last.running = running;
    else steps.push({ atMs, running });
  }
  return { mapRun, steps, peak };
}

export const OUTCOMES: readonly AttemptOutcome[] = ['succeeded', 'failed', 'timed-out', 'aborted', 'running'];
