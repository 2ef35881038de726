import { expect } from 'chai';
import { aggregatePlan, GroupTable } from '../../../handlers/etl/group-table';
import { readGroupRun, writeGroupRun } from '../../../handlers/etl/group-runs';
import { etlKeys } from '../../../handlers/etl/keys';
import { FAN_IN, reduceBucket } from '../../../handlers/etl/reduce-bucket';
import { etlSpecSchema } from '../../../handlers/etl/spec';
import { InternalError } from '../../../handlers/lib/errors';
import { getText, listKeys } from '../../../handlers/lib/s3';
import { putLines } from '../../../handlers/lib/s3-lines';
import { seededRandom } from '../../../handlers/lib/seeded-random';
import { rejection } from '../../support/rejection';
import { useLocalServices } from '../../support/services';

const spec = etlSpecSchema.parse({
  columns: { k: 'string', n: 'int' },
  groupBy: ['k'],
  aggregates: { c: 'count', s: 'sum(n)', top: 'max(n)', distinct: 'count_distinct(n)' },
});
const plan = aggregatePlan(spec);
type Row = [string | null, bigint];

/** What the reduced bucket must hold, computed without the pipeline's code: per key, in code point order, null last. */
function expected(rows: readonly Row[]): string[] {
  const groups = new Map<string | null, { c: number; s: bigint; top: bigint; distinct: Set<bigint> }>();
  for (const [k, n] of rows) {
    const g = groups.get(k) ?? { c: 0, s: 0n, top: n, distinct: new Set<bigint>() };
    g.c += 1;
    g.s += n;
    if (n > g.top) g.top = n;
    g.distinct.add(n);
    groups.set(k, g);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => {
    const g = groups.get(k)!;
    return `${k},${g.c},${g.s},${g.top},${g.distinct.size}`;
  });
}

async function reducedText(key: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readGroupRun(key, plan.groupKinds)) {
    const [c, s, top, distinct] = e.states.map((state, i) => plan.aggregates[i]!.fromJSON(state).result());
    out.push(`${e.values[0]},${String(c)},${String(s)},${String(top)},${String(distinct)}`);
  }
  return out;
}

describe('reduceBucket: sorted runs merged by streaming (local S3)', function () {
  this.timeout(60_000);
  useLocalServices();

  const random = seededRandom(21);
  const rows: Row[] = Array.from({ length: 6_000 }, () => [random.int(0, 30) === 0 ? null : `key-${random.int(0, 700)}`, BigInt(random.int(-50, 50))]);
  let runs: string[];

  before(async () => {
    // Seven "spills" of uneven size, each a sorted run as a transform writes it.
    runs = [];
    let at = 0;
    for (let i = 0; at < rows.length; i++) {
      const size = i === 6 ? rows.length - at : random.int(1, 1_500);
      const table = new GroupTable(plan);
      for (const row of rows.slice(at, at + size)) table.add(row);
      at += size;
      const key = etlKeys.partial('reduce-test', 0, i, 1);
      await writeGroupRun(key, table.drain(1).get(0) ?? []);
      runs.push(key);
    }
  });

  it('merges every run into each group once, with exact aggregates, in output order', async () => {
    const result = await reduceBucket('reduce-test', plan, 0, runs);
    expect(await reducedText(result.key)).to.deep.equal(expected(rows));
    expect(result.groups).to.equal(expected(rows).length);
  });

  it('gives the same bytes when it must merge in passes of two runs', async () => {
    const once = await getText((await reduceBucket('reduce-test', plan, 0, runs)).key);
    const passes = await reduceBucket('reduce-passes', plan, 0, runs, 2);
    expect(await getText(passes.key)).to.equal(once);
    // 7 runs in pairs: 4, then 2 intermediate runs before the last merge.
    expect(await listKeys('jobs/reduce-passes/work/reduce/')).to.have.lengthOf(6);
  });

  it('merges more runs than the S3 client has sockets (50) in passes of FAN_IN, without waiting forever', async function () {
    this.timeout(60_000);
    // Each open run holds a socket until it is read through: merged 64 at once, as FAN_IN once was, 70
    // runs wait on sockets their own readers hold, and the reduce hangs.
    const many: string[] = [];
    const manyRows: Row[] = [];
    for (let i = 0; i < 70; i++) {
      const table = new GroupTable(plan);
      // Runs of ~100 KB: a body larger than a socket's buffers keeps its socket until it is read.
      for (let j = 0; j < 3_000; j++) {
        const row: Row = [`key-${(i * 7 + j) % 4_000}`, BigInt(j - i)];
        table.add(row);
        manyRows.push(row);
      }
      const key = etlKeys.partial('reduce-many', 0, i, 1);
      await writeGroupRun(key, table.drain(1).get(0) ?? []);
      many.push(key);
    }
    expect(FAN_IN).to.be.below(50);
    const result = await reduceBucket('reduce-many', plan, 0, many);
    expect(await reducedText(result.key)).to.deep.equal(expected(manyRows));
  });

  it('writes an empty run for a bucket no partition wrote to', async () => {
    const result = await reduceBucket('reduce-empty', plan, 3, []);
    expect(result.groups).to.equal(0);
    expect(await getText(result.key)).to.equal('');
  });

  it('refuses a run whose groups are out of order, naming the run and the line', async () => {
    const key = 'jobs/reduce-bad/work/partials/b000/p00000-0001.ndjson';
    await putLines(key, ['[["a"],[1,"1",null,[]]]', '[["c"],[1,"1",null,[]]]', '[["b"],[1,"1",null,[]]]']);
    const err = await rejection(reduceBucket('reduce-bad', plan, 0, [key]));
    expect(err).to.be.instanceOf(InternalError);
    expect(err.message).to.include(key).and.include('line 3');
  });
});
