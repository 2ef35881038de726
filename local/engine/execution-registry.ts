// Every execution the engine has started, running or closed, and every Map Run: what DescribeExecution,
// ListExecutions, ListMapRuns and DescribeMapRun answer from. With a journal, it is rebuilt from the
// journal's index at start, so closed executions stay visible and running ones can be resumed.
//
// A Distributed Map of 100,000 items leaves 100,000 closed executions here: a closed Map item is packed
// (closed-items.ts) and unpacked into an entry again only when asked for by ARN. Entries have one shape (every
// field set at creation) and keep times as numbers.
import { closedItems, type ClosedItems } from './closed-items';
import type { ExecutionFilter, ExecutionRecord, MapRunCounts, MapRunRecord, RedriveStatus } from './control-types';
import type { Journal, JournalMapRun, JournalStart } from './execution-journal';
import type { Execution, ExecutionResult, ExecutionStatus, HistoryEvent } from './types';

/** AWS: executions that did not succeed may be redriven for 14 days after they stopped, up to 1,000 times. */
export const REDRIVE_WINDOW_MS = 14 * 24 * 3600 * 1000;
export const MAX_REDRIVES = 1000;

export interface ExecutionEntry {
  start: JournalStart;
  status: ExecutionStatus;
  /** Milliseconds since the epoch (stopDateOf gives the Date). */
  stopTime?: number;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: Date;
  /** The Map Run round in which this item last (re)started. */
  round: number;
  /** The execution while it runs in this process. */
  live?: Execution;
  /** The history of a closed execution when there is no journal to read it from. */
  history?: HistoryEvent[];
  /** Events recorded, when known (a closed journaled execution's count is read when needed). */
  eventCount?: number;
}

export interface ExecutionRegistry {
  /** The entry of an execution (a packed Map item is unpacked, and kept as an entry from then on). */
  get(executionArn: string): ExecutionEntry | undefined;
  /** Every entry that is not a packed (closed) Map item: every running execution among them. */
  all(): Iterable<ExecutionEntry>;
  started(start: JournalStart, live: Execution): ExecutionEntry;
  closed(entry: ExecutionEntry, result: ExecutionResult, output: string | undefined, eventCount: number): void;
  redriven(entry: ExecutionEntry, date: Date, round?: number): void;
  mapRun(run: JournalMapRun): void;
  describe(entry: ExecutionEntry, maxHistoryEvents: number): ExecutionRecord;
  list(filter: ExecutionFilter, maxHistoryEvents: number): ExecutionRecord[];
  listMapRuns(executionArn: string): MapRunRecord[];
  describeMapRun(mapRunArn: string): MapRunRecord | undefined;
}

export function stopDateOf(entry: ExecutionEntry): Date | undefined {
  return entry.stopTime === undefined ? undefined : new Date(entry.stopTime);
}

function newEntry(start: JournalStart, live: Execution | undefined): ExecutionEntry {
  return {
    start,
    status: 'RUNNING',
    stopTime: undefined,
    output: undefined,
    error: undefined,
    cause: undefined,
    redriveCount: 0,
    redriveDate: undefined,
    round: start.round ?? 0,
    live,
    history: undefined,
    eventCount: undefined,
  };
}

/** An execution running again (redriven): its closing fields go. */
function reopen(entry: ExecutionEntry): void {
  entry.status = 'RUNNING';
  entry.stopTime = undefined;
  entry.output = undefined;
  entry.error = undefined;
  entry.cause = undefined;
}

export function createExecutionRegistry(journal: Journal | undefined): ExecutionRegistry {
  const entries = new Map<string, ExecutionEntry>();
  const mapRuns = new Map<string, JournalMapRun>();
  /** The unpacked entries of each Map Run's items. */
  const childrenOf = new Map<string, Set<ExecutionEntry>>();
  /** Each Map Run's packed items, and the same by state machine (an ARN names its machine, not its Map Run). */
  const packs = new Map<string, ClosedItems>();
  const packsOfMachine = new Map<string, ClosedItems[]>();

  /** Packs a closed Map item: it leaves `entries` and `childrenOf`. */
  const pack = (entry: ExecutionEntry) => {
    const { start } = entry;
    if (!start.mapRunArn || entry.live || entry.history) return;
    let items = packs.get(start.mapRunArn);
    if (!items) {
      items = closedItems(start);
      packs.set(start.mapRunArn, items);
      const list = packsOfMachine.get(items.stateMachineArn) ?? [];
      packsOfMachine.set(items.stateMachineArn, [...list, items]);
    }
    if (!items.add(entry)) return;
    entries.delete(start.executionArn);
    childrenOf.get(start.mapRunArn)?.delete(entry);
  };

  /** A packed item's entry, unpacked and kept as an entry again. */
  const unpack = (arn: string): ExecutionEntry | undefined => {
    const at = arn.lastIndexOf(':');
    const machineArn = arn.slice(0, at).replace(':execution:', ':stateMachine:');
    const name = arn.slice(at + 1);
    for (const items of packsOfMachine.get(machineArn) ?? []) {
      const unpacked = items.take(name);
      if (!unpacked) continue;
      const entry = newEntry(unpacked.start, undefined);
      Object.assign(entry, { ...unpacked, live: undefined, history: undefined });
      entries.set(arn, entry);
      addChild(entry);
      return entry;
    }
    return undefined;
  };

  const addChild = (entry: ExecutionEntry) => {
    const mapRunArn = entry.start.mapRunArn;
    if (!mapRunArn) return;
    let set = childrenOf.get(mapRunArn);
    if (!set) childrenOf.set(mapRunArn, (set = new Set()));
    set.add(entry);
  };

  for (const line of journal?.readIndex() ?? []) {
    switch (line.t) {
      case 'start': {
        const entry = newEntry(line.r, undefined);
        entries.set(line.r.executionArn, entry);
        addChild(entry);
        break;
      }
      case 'close': {
        const entry = entries.get(line.r.executionArn);
        if (!entry) break;
        entry.status = line.r.status;
        entry.stopTime = Date.parse(line.r.stopDate);
        entry.output = line.r.output;
        entry.error = line.r.error;
        entry.cause = line.r.cause;
        pack(entry);
        break;
      }
      case 'redrive': {
        const entry = entries.get(line.r.executionArn) ?? unpack(line.r.executionArn);
        if (!entry) break;
        reopen(entry);
        entry.redriveCount = line.r.redriveCount;
        entry.redriveDate = new Date(line.r.redriveDate);
        if (line.r.round !== undefined) entry.round = line.r.round;
        break;
      }
      case 'mapRun':
        mapRuns.set(line.r.mapRunArn, line.r);
        break;
    }
  }

  const redriveStatus = (entry: ExecutionEntry, maxHistoryEvents: number): { status: RedriveStatus; reason?: string } => {
    if (entry.status === 'RUNNING' || entry.status === 'SUCCEEDED') {
      return { status: 'NOT_REDRIVABLE', reason: `Execution is ${entry.status} and cannot be redriven` };
    }
    if (entry.start.mapRunArn) return { status: 'REDRIVABLE_BY_MAP_RUN' };
    if (entry.stopTime !== undefined && Date.now() - entry.stopTime > REDRIVE_WINDOW_MS) {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution redrivable period exceeded' };
    }
    if (entry.redriveCount >= MAX_REDRIVES) return { status: 'NOT_REDRIVABLE', reason: `Execution has been redriven ${MAX_REDRIVES} times, the most allowed` };
    if (entry.eventCount !== undefined && entry.eventCount >= maxHistoryEvents) {
      return { status: 'NOT_REDRIVABLE', reason: 'Execution history event limit exceeded' };
    }
    return { status: 'REDRIVABLE' };
  };

  const describe = (entry: ExecutionEntry, maxHistoryEvents: number): ExecutionRecord => {
    const { start } = entry;
    const redrive = redriveStatus(entry, maxHistoryEvents);
    const record: ExecutionRecord = {
      executionArn: start.executionArn,
      stateMachineArn: start.stateMachineArn,
      name: start.name,
      status: entry.status,
      startDate: new Date(start.startDate),
      input: start.input,
      definition: start.definition,
      redriveCount: entry.redriveCount,
      redriveStatus: redrive.status,
    };
    if (entry.stopTime !== undefined) record.stopDate = new Date(entry.stopTime);
    if (entry.output !== undefined) record.output = entry.output;
    if (entry.error !== undefined) record.error = entry.error;
    if (entry.cause !== undefined) record.cause = entry.cause;
    if (start.mapRunArn) record.mapRunArn = start.mapRunArn;
    if (start.parentExecutionArn) record.parentExecutionArn = start.parentExecutionArn;
    if (start.testCase) record.testCase = start.testCase;
    if (entry.redriveDate) record.redriveDate = entry.redriveDate;
    if (redrive.reason) record.redriveStatusReason = redrive.reason;
    return record;
  };

  const counts = (run: JournalMapRun): MapRunCounts => {
    const c: MapRunCounts = { pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: run.total, resultsWritten: 0, failuresNotRedrivable: 0, pendingRedrive: 0 };
    let started = 0;
    const count = (status: ExecutionStatus) => {
      started++;
      if (status === 'RUNNING') c.running++;
      else if (status === 'SUCCEEDED') c.succeeded++;
      else if (status === 'FAILED') c.failed++;
      else if (status === 'TIMED_OUT') c.timedOut++;
      else c.aborted++;
    };
    for (const child of childrenOf.get(run.mapRunArn) ?? []) count(child.status);
    for (const status of packs.get(run.mapRunArn)?.statuses() ?? []) count(status);
    c.pending = Math.max(0, run.total - started);
    if (run.status !== 'RUNNING') c.resultsWritten = c.succeeded + c.failed + c.timedOut + c.aborted;
    return c;
  };

  const mapRunRecord = (run: JournalMapRun): MapRunRecord => {
    const itemCounts = counts(run);
    const record: MapRunRecord = {
      mapRunArn: run.mapRunArn,
      executionArn: run.executionArn,
      stateName: run.stateName,
      status: run.status,
      startDate: new Date(run.startDate),
      maxConcurrency: run.maxConcurrency,
      toleratedFailurePercentage: run.toleratedFailurePercentage,
      toleratedFailureCount: run.toleratedFailureCount,
      itemCounts,
      executionCounts: { ...itemCounts },
      redriveCount: run.redriveCount,
    };
    if (run.stopDate) record.stopDate = new Date(run.stopDate);
    if (run.redriveDate) record.redriveDate = new Date(run.redriveDate);
    return record;
  };

  return {
    get: (arn) => entries.get(arn) ?? unpack(arn),
    all: () => entries.values(),
    started(start, live) {
      const previous = entries.get(start.executionArn) ?? unpack(start.executionArn);
      if (previous) {
        previous.live = live;
        return previous;
      }
      const entry = newEntry(start, live);
      entries.set(start.executionArn, entry);
      addChild(entry);
      journal?.append({ t: 'start', r: start });
      return entry;
    },
    closed(entry, result, output, eventCount) {
      entry.status = result.status;
      entry.stopTime = result.stopDate.getTime();
      entry.output = output;
      entry.error = result.error;
      entry.cause = result.cause;
      entry.eventCount = eventCount;
      // Without a journal, a top-level execution's history stays readable; a Map item's goes with it.
      if (!journal && !entry.start.mapRunArn) entry.history = entry.live?.history;
      entry.live = undefined;
      journal?.append({
        t: 'close',
        r: { executionArn: entry.start.executionArn, status: result.status, stopDate: result.stopDate.toISOString(), output, error: result.error, cause: result.cause },
      });
      pack(entry);
    },
    redriven(entry, date, round) {
      reopen(entry);
      entry.history = undefined;
      entry.redriveCount++;
      entry.redriveDate = date;
      if (round !== undefined) entry.round = round;
      journal?.append({ t: 'redrive', r: { executionArn: entry.start.executionArn, redriveCount: entry.redriveCount, redriveDate: date.toISOString(), round } });
    },
    mapRun(run) {
      mapRuns.set(run.mapRunArn, run);
      journal?.append({ t: 'mapRun', r: run });
    },
    describe,
    list(filter, maxHistoryEvents) {
      const source: Iterable<ExecutionEntry> = filter.mapRunArn
        ? [...(childrenOf.get(filter.mapRunArn) ?? []), ...((packs.get(filter.mapRunArn)?.entries() ?? []) as Iterable<ExecutionEntry>)]
        : entries.values();
      const out: ExecutionRecord[] = [];
      for (const entry of source) {
        if (filter.stateMachineArn && entry.start.stateMachineArn !== filter.stateMachineArn) continue;
        if (!filter.mapRunArn && entry.start.mapRunArn) continue;
        if (filter.status && entry.status !== filter.status) continue;
        if (filter.redriven !== undefined && (entry.redriveCount > 0) !== filter.redriven) continue;
        out.push(describe(entry, maxHistoryEvents));
      }
      return out.sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    },
    listMapRuns: (executionArn) =>
      [...mapRuns.values()].filter((r) => r.executionArn === executionArn).map(mapRunRecord).sort((a, b) => b.startDate.getTime() - a.startDate.getTime()),
    describeMapRun(mapRunArn) {
      const run = mapRuns.get(mapRunArn);
      return run && mapRunRecord(run);
    },
  };
}
