// Sorted runs of aggregate groups: NDJSON objects in S3, one group and its accumulator states a line, in
// output order. Transforms write them, reduce merges a bucket's runs and report merges the buckets, all by
// streaming k-way merges, so no task holds more than one line per run whatever the number of groups.
import { InternalError } from '../lib/errors';
import { getLines, putLines } from '../lib/s3-lines';
import type { JsonValue } from './aggregate/json-codec';
import { compareDecodedGroups, decodeGroupValue, type EncodedGroup, type GroupEntry } from './group-table';
import type { EtlValue } from './parquet-values';
import type { ColumnKind } from './spec';

/** An entry as read back, with its group's values decoded once (what the merges compare). */
export interface RunEntry extends GroupEntry {
  values: EtlValue[];
}

export const runEntryOrder =
  (kinds: readonly ColumnKind[]) =>
  (a: RunEntry, b: RunEntry): number =>
    compareDecodedGroups(kinds, a.values, b.values);

export const encodeRunLine = (entry: GroupEntry): string => JSON.stringify([entry.group, entry.states]);

/** Writes entries (already in output order) as a run; returns the number of groups. */
export function writeGroupRun(key: string, entries: AsyncIterable<GroupEntry> | Iterable<GroupEntry>): Promise<number> {
  async function* lines() {
    for await (const entry of entries) yield encodeRunLine(entry);
  }
  return putLines(key, lines(), { contentType: 'application/x-ndjson' });
}

/**
 * A run's entries in order. A line that is not an entry, or out of order (a group twice, or before the
 * one above it), is a bug of the writer: InternalError naming the run and the line.
 */
export async function* readGroupRun(key: string, kinds: readonly ColumnKind[]): AsyncGenerator<RunEntry> {
  let previous: EtlValue[] | null = null;
  let line = 0;
  for await (const text of getLines(key)) {
    line += 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!Array.isArray(parsed) || parsed.length !== 2 || !Array.isArray(parsed[0]) || parsed[0].length !== kinds.length || !Array.isArray(parsed[1])) {
      throw new InternalError(`Group run ${key}, line ${line}: not a [group, states] entry with ${kinds.length} group values`);
    }
    const group = parsed[0] as EncodedGroup;
    const values = group.map((v, i) => decodeGroupValue(kinds[i]!, v));
    if (previous && compareDecodedGroups(kinds, previous, values) >= 0) {
      throw new InternalError(`Group run ${key}, line ${line}: ${JSON.stringify(group)} is not after the group above it`);
    }
    previous = values;
    yield { group, states: parsed[1] as JsonValue[], values };
  }
}
