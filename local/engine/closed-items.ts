// A Map Run's closed items, packed: the registry's record of a Distributed Map child once it has closed. A Map Run
// of 100,000 items leaves 100,000 executions behind; kept as entries (an object with its start record, ARN, name,
// dates...) they cost ~600 bytes each, and the engine's memory grew with every item. Packed, an item is its name,
// input and output texts and a few numbers in arrays; the fields its siblings share (machine, definition, parent,
// Map Run) are kept once, and its ARN and start date are made again when an entry is asked for.
import type { JournalStart } from './execution-journal';
import type { ExecutionEntry } from './execution-registry';
import type { ExecutionStatus } from './types';

/** What the registry keeps of an execution, as far as a packed item needs. */
export type PackableEntry = Omit<ExecutionEntry, 'live' | 'history'>;

/** A start record's fields that are the item's own; every other field is the same for all of a Map Run's items. */
const OWN_FIELDS = new Set(['executionArn', 'name', 'startDate', 'input', 'round']);

export interface ClosedItems {
  readonly mapRunArn: string;
  readonly stateMachineArn: string;
  /** Packs a closed entry; false when it cannot be (its shared fields differ from its siblings', its ARN is not theirs). */
  add(entry: PackableEntry): boolean;
  has(name: string): boolean;
  /** The item's entry, unpacked and no longer kept here (the caller keeps it from now on). */
  take(name: string): PackableEntry | undefined;
  /** Every packed item's entry, made for reading. */
  entries(): Iterable<PackableEntry>;
  /** Every packed item's status, without making entries. */
  statuses(): Iterable<ExecutionStatus>;
}

export function closedItems(first: JournalStart): ClosedItems {
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(first)) if (!OWN_FIELDS.has(key)) shared[key] = value;
  const arnPrefix = first.executionArn.slice(0, first.executionArn.length - first.name.length);
  const slotOf = new Map<string, number>();
  // One slot per item, in these arrays (strings by reference, numbers unboxed).
  const names: (string | undefined)[] = [];
  const inputs: string[] = [];
  const outputs: (string | undefined)[] = [];
  const statuses: ExecutionStatus[] = [];
  const starts: number[] = [];
  const stops: number[] = [];
  const eventCounts: number[] = [];
  // Rare fields, by slot.
  const failures = new Map<number, { error?: string; cause?: string }>();
  const rounds = new Map<number, number>();
  const redrives = new Map<number, { count: number; date?: Date }>();
  const free: number[] = [];

  const fits = (start: JournalStart): boolean => {
    if (start.executionArn !== arnPrefix + start.name) return false;
    for (const [key, value] of Object.entries(start)) if (!OWN_FIELDS.has(key) && shared[key] !== value) return false;
    for (const key of Object.keys(shared)) if (!(key in start)) return false;
    return true;
  };

  const unpack = (slot: number): PackableEntry => {
    const name = names[slot]!;
    const start = { ...shared, executionArn: arnPrefix + name, name, startDate: new Date(starts[slot]!).toISOString(), input: inputs[slot]! } as JournalStart;
    const round = rounds.get(slot);
    if (round !== undefined) start.round = round;
    const failure = failures.get(slot);
    const redrive = redrives.get(slot);
    return {
      start,
      status: statuses[slot]!,
      stopTime: stops[slot],
      output: outputs[slot],
      error: failure?.error,
      cause: failure?.cause,
      redriveCount: redrive?.count ?? 0,
      redriveDate: redrive?.date,
      round: round ?? 0,
      eventCount: eventCounts[slot],
    };
  };

  return {
    mapRunArn: first.mapRunArn!,
    stateMachineArn: first.stateMachineArn,
    add(entry) {
      const { start } = entry;
      if (entry.status === 'RUNNING' || entry.stopTime === undefined || !fits(start) || slotOf.has(start.name)) return false;
      const startTime = Date.parse(start.startDate);
      // A start date that would not come back as the same text stays unpacked.
      if (Number.isNaN(startTime) || new Date(startTime).toISOString() !== start.startDate) return false;
      const slot = free.length ? free.pop()! : names.length;
      slotOf.set(start.name, slot);
      names[slot] = start.name;
      inputs[slot] = start.input;
      outputs[slot] = entry.output;
      statuses[slot] = entry.status;
      starts[slot] = startTime;
      stops[slot] = entry.stopTime;
      eventCounts[slot] = entry.eventCount ?? 0;
      if (entry.error !== undefined || entry.cause !== undefined) failures.set(slot, { error: entry.error, cause: entry.cause });
      if (start.round !== undefined) rounds.set(slot, start.round);
      if (entry.redriveCount || entry.redriveDate) redrives.set(slot, { count: entry.redriveCount, date: entry.redriveDate });
      return true;
    },
    has: (name) => slotOf.has(name),
    take(name) {
      const slot = slotOf.get(name);
      if (slot === undefined) return undefined;
      const entry = unpack(slot);
      slotOf.delete(name);
      names[slot] = undefined;
      outputs[slot] = undefined;
      inputs[slot] = '';
      failures.delete(slot);
      rounds.delete(slot);
      redrives.delete(slot);
      free.push(slot);
      return entry;
    },
    *entries() {
      for (const slot of slotOf.values()) yield unpack(slot);
    },
    *statuses() {
      for (const slot of slotOf.values()) yield statuses[slot]!;
    },
  };
}
