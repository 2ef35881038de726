// Reduce's work: one bucket's sorted runs (one per partition spill) merged into one run in output order,
// equal groups' partial states merged into one. A streaming k-way merge: memory holds a line per run
// being merged, not the bucket's groups, so a bucket may hold any number of them. With more runs than
// FAN_IN it merges in passes, writing intermediate runs.
import type { AggregatePlan, GroupEntry } from './group-table';
import { readGroupRun, runEntryOrder, writeGroupRun, type RunEntry } from './group-runs';
import { etlKeys } from './keys';
import { mergeSorted, runsOf } from './merge-sorted';

/**
 * Runs read at once by one merge. Each open run holds one of the S3 client's sockets (the SDK's Node
 * handler allows 50) until it is read to its end, and the merged run's upload needs sockets too: more
 * runs than sockets and the merge waits forever for a socket its own readers hold.
 */
export const FAN_IN = 32;

/** One entry per group: the states of its entries merged in input order (the merge is exact, so order only matters for speed). */
function combine(plan: AggregatePlan, same: RunEntry[]): GroupEntry {
  if (same.length === 1) return same[0]!;
  const accumulators = same[0]!.states.map((s, i) => plan.aggregates[i]!.fromJSON(s));
  for (const entry of same.slice(1)) entry.states.forEach((s, i) => accumulators[i]!.merge(plan.aggregates[i]!.fromJSON(s)));
  return { group: same[0]!.group, states: accumulators.map((a) => a.toJSON()) };
}

/** Merges runs into `out` (every group once); returns the number of groups. */
export async function mergeRuns(plan: AggregatePlan, runs: readonly string[], out: string): Promise<number> {
  const order = runEntryOrder(plan.groupKinds);
  const merged = mergeSorted(
    runs.map((key) => readGroupRun(key, plan.groupKinds)),
    order,
  );
  async function* combined() {
    for await (const same of runsOf(merged, (a, b) => order(a, b) === 0)) yield combine(plan, same);
  }
  return writeGroupRun(out, combined());
}

/** The bucket's runs merged into its reduced run, in passes of at most `fanIn` runs. */
export async function reduceBucket(jobId: string, plan: AggregatePlan, bucket: number, runs: readonly string[], fanIn = FAN_IN): Promise<{ key: string; groups: number }> {
  let level = [...runs];
  for (let pass = 0; level.length > fanIn; pass++) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += fanIn) {
      const key = etlKeys.reducePass(jobId, bucket, pass, next.length);
      await mergeRuns(plan, level.slice(i, i + fanIn), key);
      next.push(key);
    }
    level = next;
  }
  const key = etlKeys.reduced(jobId, bucket);
  return { key, groups: await mergeRuns(plan, level, key) };
}
