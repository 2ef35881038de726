// ETL pipeline against DuckDB and bare csv-parse, on generated sales CSVs and the real flights-3m.parquet.
//   node --import tsx bench/etl.ts [--rows N] [--skip-big] [--skip-profile]
// Prints, each against a baseline measured in this run (figures only, no assertions):
//   1. one worker's transform throughput (rows/s of a one-partition job's EtlTransform invocation) against
//      csv-parse alone over the same bytes from a local file (target >= 0.85x), and the per-row cost of
//      each piece of the transform measured in this process (no worker start-up);
//   2. end to end (partitionMb 64, maxConcurrency 2) on a generated CSV of about 1 GiB and on
//      flights-3m.parquet: the execution's wall time against DuckDB running the same query on the same
//      file, with the results checked against DuckDB's;
//   3. the partition step (plan + range scans + stitch) at three sizes: task time and bytes read;
//   4. peak RSS of a transform worker at a ~100 MB and a ~1 GiB partition, against the same process with
//      the handler loaded and nothing run (target: flat, < 200 MB);
//   5. cost per GB in AWS from what the runs counted (state transitions, Lambda GB-s and requests, S3 and
//      DynamoDB requests), beside Distributed Map's CSV row reader over the same file.
// --rows N sets the big CSV's rows (default: about 1 GiB); the other sizes are 1/20, 1/10 and 1/5 of it.
// --skip-big leaves the big CSV out (the largest is then the 1/5 one). --skip-profile leaves out the CPU
// profile of the 1/10 file's transform in a worker-like process (summarized by self time).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { collectFunctions } from '../handlers/catalog';
import { etlKeys } from '../handlers/etl/keys';
import { readManifest } from '../handlers/etl/manifest';
import type { PartitionItem } from '../handlers/etl/partition-items';
import { etlFunctions, etlOutputSchema, etlPipeline } from '../handlers/etl/pipeline';
import { deleteKeys, getJson, uploadFile } from '../handlers/lib/s3';
import { writeSalesCsv, SALES_COLUMNS } from '../local/data/sales-generator';
import type { Execution } from '../local/engine';
import { heapLimitMb } from '../local/lambda/worker-channel';
import { buildWorkerEnv } from '../local/lambda/worker-env';
import { applyEnv } from '../local/process-env';
import { runJob, type JobSummary } from '../local/run/job-runner';
import { startLocalStack, type InvocationRecord, type LocalStack } from '../local/stack';
import { installRequestMeter, type DynamoCounts, type S3Counts } from './etl-meter';
import { inProcessTransformPass, localPasses, microCosts, s3RecordsPass, SALES_SPEC, type CsvItem, type MicroCost, type Pass } from './etl-pieces';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const FLIGHTS = join(repoRoot, 'node_modules/vega-datasets/data/flights-3m.parquet');
const GIB = 1024 ** 3;

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    'skip-big': { type: 'boolean', default: false },
    'skip-profile': { type: 'boolean', default: false },
  },
});

// ---- what is measured ---------------------------------------------------------------------------

/** The same without count_distinct, whose state (every distinct value per group) is the one that grows with the data. */
const SALES_SPEC_NO_DISTINCT = { ...SALES_SPEC, aggregates: Object.fromEntries(Object.entries(SALES_SPEC.aggregates).filter(([, a]) => !a.startsWith('count_distinct'))) };
const DUCK_TYPES: Record<string, string> = { 'int!': 'BIGINT', int: 'BIGINT', timestamp: 'TIMESTAMP', 'string!': 'VARCHAR', string: 'VARCHAR', 'decimal(10,2)': 'DECIMAL(10,2)', float: 'DOUBLE', bool: 'BOOLEAN' };
const salesColumns = `{${Object.entries(SALES_COLUMNS).map(([name, type]) => `'${name}': '${DUCK_TYPES[type]}'`).join(', ')}}`;
const salesSql = (path: string) =>
  `select region, count(*) as n, sum(quantity) as qty, avg(discount) as avg_discount, count(distinct customer) as customers,
     min(unit_price) as min_price, max(order_date) as last_order
   from read_csv('${path}', header = true, delim = ',', quote = '"', escape = '"', columns = ${salesColumns}, timestampformat = '%Y-%m-%d %H:%M:%S')
   group by region`;

/** flights-3m has no float column: avg of an int. */
const FLIGHTS_SPEC = {
  columns: { origin: 'string', delay: 'int', distance: 'int', destination: 'string', date: 'timestamp' },
  groupBy: ['origin'],
  aggregates: {
    n: 'count',
    total_delay: 'sum(delay)',
    avg_distance: 'avg(distance)',
    destinations: 'count_distinct(destination)',
    min_delay: 'min(delay)',
    last_flight: 'max(date)',
  },
};
const flightsSql = (path: string) =>
  `select origin, count(*) as n, sum(delay) as total_delay, avg(distance) as avg_distance, count(distinct destination) as destinations,
     min(delay) as min_delay, max(date) as last_flight
   from read_parquet('${path}') group by origin`;

interface Dataset {
  label: string;
  path: string;
  spec: typeof SALES_SPEC | typeof FLIGHTS_SPEC;
  sql: (path: string) => string;
  group: string;
  /** Output columns compared exactly, and those compared within 1e-9 relative (avg). */
  exact: string[];
  approx: string[];
}

const salesDataset = (label: string, path: string): Dataset => ({
  label,
  path,
  spec: SALES_SPEC,
  sql: salesSql,
  group: 'region',
  exact: ['n', 'qty', 'customers', 'min_price', 'last_order'],
  approx: ['avg_discount'],
});

/** Prices used for the cost figures: /work/shared/DESIGN.md, "Known facts" → Prices. */
const PRICES = {
  asOf: 'us-east-1, 2025 (/work/shared/DESIGN.md, Known facts)',
  transition: 0.025 / 1000,
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  s3PutListPerRequest: 0.005 / 1000,
  s3GetPerRequest: 0.0004 / 1000,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
};

// ---- helpers ------------------------------------------------------------------------------------

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const num = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (rows: number, ms: number) => `${num((rows / ms) * 1000)} rows/s`;
const usd = (x: number) => `$${x < 0.01 ? x.toFixed(5) : x.toFixed(3)}`;
const note = (text: string) => process.stderr.write(`${text}\n`);
const memoryOf = (name: string) => etlFunctions.find((f) => f.name === name)!.memoryMb;

function startStack(): Promise<LocalStack> {
  return startLocalStack({ functions: collectFunctions([etlPipeline]), onLog: () => {} });
}

/** Everything one local job did, counted. */
interface EtlRun {
  jobId: string;
  bytes: number;
  rows: number;
  partitions: number;
  report: ReturnType<typeof etlOutputSchema.parse>['report'];
  summary: JobSummary;
  /** The execution's start to stop (the upload before it is not the pipeline's work). */
  executionMs: number;
  uploadMs: number;
  /** From the start to the Transform Map: plan, scans and stitch (CSV), or plan (Parquet). */
  partitionStepMs: number;
  partitionStepS3: S3Counts;
  s3: S3Counts;
  dynamo: DynamoCounts;
  statesEntered: { parent: number; children: number };
  childExecutions: number;
  lambdaRequests: number;
  lambdaGbSeconds: number;
  outputDir?: string;
}

const meter = installRequestMeter();

async function runEtl(stack: LocalStack, input: string, settings: Record<string, unknown>, opts: { outputDir?: string; jobId?: string } = {}): Promise<EtlRun> {
  const { outputDir, jobId } = opts;
  meter.watch(stack.services.endpoints);
  const executions: { execution: Execution; child: boolean }[] = [];
  const offStarted = stack.engine.onExecutionStarted((execution, parent) => executions.push({ execution, child: parent !== undefined }));
  const invocations: InvocationRecord[] = [];
  const offInvoked = stack.observeInvocations((r) => invocations.push(r));
  let summary: JobSummary;
  const started = Date.now();
  try {
    // No progress polling: the table reads counted are the pipeline's own.
    summary = await runJob({ pipeline: etlPipeline, files: { input }, settings, jobId, stack, outputPath: outputDir, pollMs: 2_000_000_000 });
  } finally {
    offStarted();
    offInvoked();
  }
  const { result } = summary;
  if (result.status !== 'SUCCEEDED') throw new Error(`ETL job failed: ${result.error}: ${result.cause}`);
  const output = etlOutputSchema.parse(result.output);
  const parent = executions.find((e) => !e.child)!.execution;
  const from = result.startDate.getTime();
  const to = result.stopDate.getTime() + 1;
  const transformAt = parent.history.find((e) => e.type === 'MapStateEntered' && (e.stateEnteredEventDetails as { name?: string } | undefined)?.name === 'Transform')?.timestamp.getTime() ?? from;
  const entered = (e: Execution) => e.history.filter((h) => h.type.endsWith('StateEntered')).length;
  const children = executions.filter((e) => e.child);
  return {
    jobId: output.jobId,
    bytes: (await stat(input)).size,
    rows: output.report.rowsIn,
    partitions: output.report.partitions,
    report: output.report,
    summary,
    executionMs: to - 1 - from,
    uploadMs: from - started,
    partitionStepMs: transformAt - from,
    partitionStepS3: meter.s3Between(from, transformAt),
    s3: meter.s3Between(from, to),
    dynamo: meter.dynamoBetween(from, to),
    statesEntered: { parent: entered(parent), children: children.reduce((n, e) => n + entered(e.execution), 0) },
    childExecutions: children.length,
    lambdaRequests: invocations.length,
    // Lambda bills each invocation's duration rounded up to the millisecond, at the function's memory.
    lambdaGbSeconds: invocations.reduce((sum, r) => sum + (Math.ceil(r.outcome.durationMs) / 1000) * (memoryOf(r.functionName) / 1024), 0),
    outputDir,
  };
}

/** DuckDB's time for the query, and whether the pipeline's aggregates.parquet holds the same groups and values. */
async function duckCompare(duck: DuckDBConnection, d: Dataset, run: EtlRun): Promise<{ ms: number; groups: number; unmatched: number; differ: number }> {
  const started = performance.now();
  await duck.runAndReadAll(d.sql(d.path));
  const ms = performance.now() - started;
  const out = join(run.outputDir!, 'aggregates.parquet');
  const differs = [...d.exact.map((c) => `d.${c} is distinct from p.${c}`), ...d.approx.map((c) => `abs(d.${c} - p.${c}) > 1e-9 * abs(d.${c})`)].join(' or ');
  const [row] = (
    await duck.runAndReadAll(`with d as (${d.sql(d.path)}), p as (select * from read_parquet('${out}'))
      select count(*) as groups, count(*) filter (where d.${d.group} is null or p.${d.group} is null) as unmatched, count(*) filter (where ${differs}) as differ
      from d full outer join p on d.${d.group} = p.${d.group}`)
  ).getRowObjects();
  return { ms, groups: Number(row!.groups), unmatched: Number(row!.unmatched), differ: Number(row!.differ) };
}

interface ChildFigures {
  ms: number;
  invocations: number;
  rowsIn: number;
  maxRssKb: number;
  /** Bytes, sampled every 50 ms. */
  peakHeapUsed: number;
  peakExternal: number;
}

/**
 * The EtlTransform handler on one partition in a process of its own, started as the runner starts a
 * worker (same environment, IAM grant and heap limit); `idle` only loads the handler.
 */
async function transformInChild(stack: LocalStack, request: { jobId: string; partition: PartitionItem } | 'idle', profileDir?: string): Promise<ChildFigures> {
  const spec = etlFunctions.find((f) => f.name === 'EtlTransform')!;
  const tmpDir = await mkdtemp(join(tmpdir(), 'longhaul-bench-etl-child-'));
  const env = buildWorkerEnv({ spec, region: stack.services.region, repoRoot, tmpDir, logStreamName: 'bench', common: stack.services.env, scaledTimeoutMs: spec.timeoutSeconds * 1000 });
  if (profileDir) env.BENCH_CPU_PROFILE = join(profileDir, 'transform.cpuprofile');
  const args = [
    '--import', 'tsx', `--max-old-space-size=${heapLimitMb(spec.memoryMb)}`,
    join(repoRoot, 'bench/etl-transform-child.ts'),
    request === 'idle' ? '--idle' : JSON.stringify({ ...request, timeoutMs: spec.timeoutSeconds * 1000 }),
  ];
  try {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
    if (code !== 0 || !line) throw new Error(`transform child exited ${code}: ${stderr.slice(-2000)}`);
    return JSON.parse(line.slice('BENCH_RESULT '.length)) as ChildFigures;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/**
 * A job whose whole file is one partition, for a worker to transform: plan, scans and stitch run through
 * the stack's Lambda runner with 64 MB ranges (a scan holds its range in memory: one range of the whole
 * file would not fit EtlScanRange's 1024 MB), and the partitions they find, contiguous whole rows, are
 * given to the transform as one item.
 */
async function onePartitionJob(stack: LocalStack, path: string, jobId: string, spec: object): Promise<{ jobId: string; partition: CsvItem }> {
  const invoke = async (name: string, payload: unknown) => {
    const outcome = await stack.lambda.invoke(name, payload);
    if (!outcome.ok) throw new Error(`${name}: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
  };
  const key = `jobs/${jobId}/input/source.csv`;
  const restore = applyEnv(stack.services.env);
  try {
    await uploadFile(path, key, { contentType: 'application/octet-stream' });
    await invoke('EtlPlan', { jobId, input: { key }, spec, partitionMb: 64, maxConcurrency: 1 });
    for (const range of await getJson<{ index: number; start: number; end: number }[]>(etlKeys.ranges(jobId))) await invoke('EtlScanRange', { jobId, ...range });
    await invoke('EtlStitch', { jobId });
    const partitions = await getJson<CsvItem[]>(etlKeys.partitions(jobId));
    return { jobId, partition: { kind: 'csv', index: 0, start: partitions[0]!.start, end: partitions.at(-1)!.end, firstRow: partitions[0]!.firstRow } };
  } finally {
    restore();
  }
}

/** A measurement that may fail without losing the rest of the run: its error is printed in its place. */
async function orError<T>(work: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await work();
  } catch (err) {
    note(`   failed: ${(err as Error).message}`);
    return { error: (err as Error).message.split('\n')[0]! };
  }
}

/** Deletes a finished partition's checkpoint, so its transform runs again from the start. */
async function forgetCheckpoint(stack: LocalStack, jobId: string, index: number): Promise<void> {
  const restore = applyEnv(stack.services.env);
  try {
    await deleteKeys([etlKeys.checkpoint(jobId, index)]);
  } finally {
    restore();
  }
}

interface ProfileLine {
  name: string;
  ms: number;
  share: number;
}

/** A .cpuprofile's self time by function and by module (package, our file, node internals). */
async function summarizeProfile(dir: string): Promise<{ totalMs: number; functions: ProfileLine[]; modules: ProfileLine[] }> {
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const fns = new Map<string, number>();
  const mods = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const frame = byId.get(id)!;
    const url = frame.url.replace(/^file:\/\//, '');
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const module = !url ? frame.functionName || '(unknown)' : pkg ? pkg : url.startsWith('node:') ? 'node internals' : url.startsWith(repoRoot) ? url.slice(repoRoot.length + 1) : url;
    // tsx's output keeps no line numbers for our files (all on line 1): the name and file say enough.
    const where = url ? `${pkg ?? basename(url)}${frame.lineNumber > 0 ? `:${frame.lineNumber + 1}` : ''}` : '';
    const fn = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    mods.set(module, (mods.get(module) ?? 0) + us);
    total += us;
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / total }));
  return { totalMs: total / 1000, functions: top(fns, 15), modules: top(mods, 10) };
}

/** Mean size of a row as Distributed Map's CSV reader hands it over: a JSON object keyed by the header. */
async function jsonBytesPerRow(path: string, sample = 10_000): Promise<number> {
  let bytes = 0;
  let rows = 0;
  for await (const record of createReadStream(path).pipe(parse({ columns: true, relax_quotes: true }))) {
    bytes += Buffer.byteLength(JSON.stringify(record));
    if (++rows >= sample) break;
  }
  return bytes / rows;
}

// ---- the runs -----------------------------------------------------------------------------------

const dir = await mkdtemp(join(tmpdir(), 'longhaul-bench-etl-'));
const duckInstance = await DuckDBInstance.create(':memory:');
const duck = await duckInstance.connect();
const duckThreads = String((await duck.runAndReadAll(`select current_setting('threads') as t`)).getRowObjects()[0]!.t);

interface SizeRun {
  label: string;
  run: EtlRun;
  duck: Awaited<ReturnType<typeof duckCompare>>;
}

let bigRows: number;
let perWorker: {
  run: EtlRun;
  runs: EtlRun[];
  baseline: Pass;
  passes: Pass[];
  s3Pass: Pass;
  inProcess: Pass;
  micro: Awaited<ReturnType<typeof microCosts>>;
};
const rss: { label: string; spec: string; bytes: number; figures: ChildFigures | { error: string } }[] = [];
const load: number[] = [];
let idle: ChildFigures;
let profile: Awaited<ReturnType<typeof summarizeProfile>> | undefined;
const sizeRuns: SizeRun[] = [];
let flights: SizeRun;
let dmJsonBytes = 0;

load.push(loadavg()[0]!);
try {
  // Sizes from the generator's bytes per row (ids get longer further in, so the big file ends a little over 1 GiB).
  const sample = await writeSalesCsv(join(dir, 'sample.csv'), { rows: 20_000, seed: 1 });
  bigRows = values.rows ? Number(values.rows) : Math.ceil(GIB / (sample.bytes / sample.rows));
  const sizes = [
    { label: 'small', rows: Math.round(bigRows / 20) },
    { label: 'partition', rows: Math.round(bigRows / 10) },
    { label: 'mid', rows: Math.round(bigRows / 5) },
    ...(values['skip-big'] ? [] : [{ label: 'big', rows: bigRows }]),
  ];
  const files: Record<string, string> = {};
  for (const s of sizes) {
    const path = join(dir, `sales-${s.rows}.csv`);
    const started = Date.now();
    const file = await writeSalesCsv(path, { rows: s.rows, seed: 1 });
    note(`generated ${path}: ${num(s.rows)} rows, ${mb(file.bytes)} in ${sec(Date.now() - started)}`);
    files[s.label] = path;
  }
  dmJsonBytes = await jsonBytesPerRow(files.small!);

  // 1 and 4 (~100 MB): one worker's transform of a one-partition job, the pieces in this process, its RSS.
  {
    const stack = await startStack();
    try {
      note('1. one-partition job on the 1/10 file, twice...');
      const path = files.partition!;
      const settings = { spec: SALES_SPEC, partitionMb: 1024, maxConcurrency: 1 };
      const runs = [await runEtl(stack, path, settings, { jobId: 'bench-worker-1' }), await runEtl(stack, path, settings, { jobId: 'bench-worker-2' })];
      const run = runs.reduce((a, b) => (b.summary.byFunction.EtlTransform!.totalMs < a.summary.byFunction.EtlTransform!.totalMs ? b : a));
      const restore = applyEnv(stack.services.env);
      let m: Awaited<ReturnType<typeof readManifest>>;
      let item: CsvItem;
      try {
        m = await readManifest(run.jobId);
        item = (await getJson<CsvItem[]>(etlKeys.partitions(run.jobId)))[0]!;
      } finally {
        restore();
      }
      note('   csv-parse baseline and the pieces in this process...');
      const passes = await localPasses(path, m, item);
      // csv-parse alone over the same bytes, at its fastest (no info, no raw): the bar.
      const baseline = passes[0]!;
      const micro = await microCosts(path, m, item);
      const restore2 = applyEnv(stack.services.env);
      let s3Pass: Pass;
      let inProcess: Pass;
      try {
        s3Pass = await s3RecordsPass(m, item);
        inProcess = await inProcessTransformPass(m, item);
      } finally {
        restore2();
      }
      perWorker = { run, runs, baseline, passes, s3Pass, inProcess, micro };
      note('4. transform worker RSS at the 1/10 file as one partition...');
      idle = await transformInChild(stack, 'idle');
      await forgetCheckpoint(stack, run.jobId, item.index);
      rss.push({ label: 'the 1/10 file', spec: 'the spec', bytes: item.end - item.start, figures: await transformInChild(stack, { jobId: run.jobId, partition: item }) });
      rss.push({
        label: 'the 1/10 file',
        spec: 'without count_distinct',
        bytes: item.end - item.start,
        figures: await orError(async () => transformInChild(stack, await onePartitionJob(stack, path, 'bench-rss-partition-plain', SALES_SPEC_NO_DISTINCT))),
      });
      if (!values['skip-profile']) {
        note('   CPU profile of the same transform...');
        const profileDir = join(dir, 'profile');
        await mkdir(profileDir);
        await forgetCheckpoint(stack, run.jobId, item.index);
        await transformInChild(stack, { jobId: run.jobId, partition: item }, profileDir);
        profile = await summarizeProfile(profileDir);
      }
    } finally {
      await stack.stop();
    }
  }

  // 2 and 3: end to end at each size (a fresh stack each: cold workers, as `longhaul run` starts), against DuckDB.
  for (const s of sizes.filter((x) => x.label !== 'partition')) {
    const stack = await startStack();
    try {
      note(`2/3. end to end on the ${s.label} CSV (${num(s.rows)} rows)...`);
      const d = salesDataset(`${s.label} CSV`, files[s.label]!);
      const run = await runEtl(stack, d.path, { spec: d.spec, partitionMb: 64, maxConcurrency: 2 }, { outputDir: join(dir, `out-${s.label}`) });
      sizeRuns.push({ label: `sales CSV, ${num(s.rows)} rows`, run, duck: await duckCompare(duck, d, run) });
      if (s.label === 'big') {
        note('4. transform worker RSS at the whole big file as one partition...');
        for (const [spec, name] of [[SALES_SPEC, 'the spec'], [SALES_SPEC_NO_DISTINCT, 'without count_distinct']] as const) {
          let bytes = 0;
          const figures = await orError(async () => {
            const one = await onePartitionJob(stack, d.path, `bench-rss-big-${rss.length}`, spec);
            bytes = one.partition.end - one.partition.start;
            return transformInChild(stack, one);
          });
          rss.push({ label: 'the big file', spec: name, bytes, figures });
        }
      }
    } finally {
      await stack.stop();
    }
  }
  {
    const stack = await startStack();
    try {
      note('2. end to end on flights-3m.parquet...');
      const d: Dataset = { label: 'flights-3m.parquet', path: FLIGHTS, spec: FLIGHTS_SPEC, sql: flightsSql, group: 'origin', exact: ['n', 'total_delay', 'destinations', 'min_delay', 'last_flight'], approx: ['avg_distance'] };
      const run = await runEtl(stack, d.path, { spec: d.spec, partitionMb: 64, maxConcurrency: 2 }, { outputDir: join(dir, 'out-flights') });
      flights = { label: 'flights-3m.parquet (3,000,000 rows, 11 row groups)', run, duck: await duckCompare(duck, d, run) };
    } finally {
      await stack.stop();
    }
  }
  load.push(loadavg()[0]!);
} finally {
  duck.closeSync();
  duckInstance.closeSync();
  await rm(dir, { recursive: true, force: true });
}

// ---- figures ------------------------------------------------------------------------------------

const pw = perWorker!;
const transform = pw.run.summary.byFunction.EtlTransform!;
const workerRate = pw.run.rows / transform.totalMs;
const baseRate = pw.baseline.rows / pw.baseline.ms;
const usPerRow = (p: Pass) => (p.ms * 1000) / p.rows;

console.log(`ETL pipeline benchmark (${sizeRuns.length} CSV sizes up to ${num(bigRows!)}${values['skip-big'] ? '/5' : ''} rows of sales, flights-3m.parquet; 2 CPUs)`);
console.log(`spec: group by region; count, sum(quantity), avg(discount), count_distinct(customer), min(unit_price), max(order_date)`);
console.log(`machine load (1-min average) at the start ${load[0]!.toFixed(1)}, at the end ${load[1]?.toFixed(1) ?? '?'}: anything above 0 competes with these figures for the 2 CPUs`);

console.log(`\n1. transform throughput of one worker: a one-partition job, ${mb(pw.run.bytes)}, ${num(pw.run.rows)} rows`);
console.log(`  csv-parse, same rules without info/raw, same bytes from a local file (baseline: the first pass below)  ${rate(pw.baseline.rows, pw.baseline.ms)} (${sec(pw.baseline.ms)})`);
console.log(`  EtlTransform invocation in a worker, best of ${pw.runs.length} one-partition jobs                             ${rate(pw.run.rows, transform.totalMs)} (${pw.runs.map((r) => sec(r.summary.byFunction.EtlTransform!.totalMs)).join(', ')}) = ${(workerRate / baseRate).toFixed(2)}x the baseline (target >= 0.85x)`);
console.log(`  pieces in this process, same partition (each line adds to the one before; best of 2 interleaved rounds):`);
let previous: Pass | undefined;
for (const p of pw.passes) {
  const added = previous ? `  +${(usPerRow(p) - usPerRow(previous)).toFixed(2)} us/row` : '';
  console.log(`    ${p.name.padEnd(50)} ${usPerRow(p).toFixed(2).padStart(7)} us/row  ${rate(p.rows, p.ms).padStart(16)}${added}`);
  previous = p;
}
const csvRecordsPass = pw.passes[1]!;
console.log(`    ${pw.s3Pass.name.padEnd(50)} ${usPerRow(pw.s3Pass).toFixed(2).padStart(7)} us/row  ${rate(pw.s3Pass.rows, pw.s3Pass.ms).padStart(16)}  (+${(usPerRow(pw.s3Pass) - usPerRow(csvRecordsPass)).toFixed(2)} us/row vs the local file)`);
console.log(`    ${pw.inProcess.name.padEnd(50)} ${usPerRow(pw.inProcess).toFixed(2).padStart(7)} us/row  ${rate(pw.inProcess.rows, pw.inProcess.ms).padStart(16)}`);
const micro = (c: MicroCost) => `${c.name} ${(c.nsPerRow / 1000).toFixed(2)} us`;
console.log(`  per row, over the partition's ${num(pw.micro.rows)} rows held in memory (best of 2): typed parse ${pw.micro.columns.map(micro).join(', ')}`);
console.log(`    ${micro(pw.micro.grouping)}; each aggregate on top: ${pw.micro.aggregates.map(micro).join(', ')}`);

console.log(`\n2. end to end (partitionMb 64, maxConcurrency 2) against DuckDB on the same file, same query (DuckDB ${duckThreads} threads)`);
for (const r of [...sizeRuns, flights!]) {
  const check = r.duck.unmatched === 0 && r.duck.differ === 0 ? `all ${r.duck.groups} groups equal DuckDB's` : `${r.duck.unmatched} groups unmatched, ${r.duck.differ} differ from DuckDB's`;
  console.log(`  ${r.label}, ${mb(r.run.bytes)}: ${r.run.partitions} partitions; results: ${check}`);
  console.log(`    DuckDB (baseline)    ${sec(r.duck.ms)}`);
  console.log(`    pipeline execution   ${sec(r.run.executionMs)} = ${(r.run.executionMs / r.duck.ms).toFixed(1)}x DuckDB (${mb(r.run.bytes / (r.run.executionMs / 1000))}/s; upload to local S3 before it ${sec(r.run.uploadMs)})`);
  const f = r.run.summary.byFunction;
  console.log(`    tasks                ${Object.entries(f).map(([name, x]) => `${name} ${sec(x.totalMs)}${x.invocations > 1 ? ` (${x.invocations} runs, longest ${sec(x.longestMs)})` : ''}`).join(', ')}`);
}

console.log(`\n3. partition step (plan + range scans + stitch) by file size: per worker it should stay flat as workers grow`);
console.log(`  ${'file'.padEnd(10)} ${'ranges'.padStart(6)} ${'step wall'.padStart(10)} ${'plan'.padStart(8)} ${'scan/range, mean'.padStart(17)} ${'longest'.padStart(8)} ${'stitch'.padStart(8)} ${'read: input'.padStart(12)} ${'per range'.padStart(10)} ${'other'.padStart(9)} ${'S3 GET/PUT'.padStart(11)}`);
for (const r of sizeRuns) {
  const f = r.run.summary.byFunction;
  const scans = f.EtlScanRange!;
  const s3 = r.run.partitionStepS3;
  console.log(
    `  ${mb(r.run.bytes).padEnd(10)} ${String(scans.invocations).padStart(6)} ${sec(r.run.partitionStepMs).padStart(10)} ${sec(f.EtlPlan!.totalMs).padStart(8)} ${sec(scans.totalMs / scans.invocations).padStart(17)} ${sec(scans.longestMs).padStart(8)} ${sec(f.EtlStitch!.totalMs).padStart(8)} ${mb(s3.bytesRead.input).padStart(12)} ${mb(s3.bytesRead.input / scans.invocations).padStart(10)} ${`${(s3.bytesRead.other / 1e3).toFixed(1)} kB`.padStart(9)} ${`${s3.requests.GET + s3.requests.HEAD}/${s3.requests.PUT}`.padStart(11)}`,
  );
}

console.log(`\n4. peak RSS (VmHWM) of a transform worker (node --import tsx, heap limit ${heapLimitMb(memoryOf('EtlTransform'))} MB, as the runner starts it)`);
console.log(`  ${'handler loaded, nothing run (baseline)'.padEnd(62)} ${`${(idle!.maxRssKb / 1024).toFixed(0)} MB`.padStart(7)}; JS heap in use ${(idle!.peakHeapUsed / 2 ** 20).toFixed(0)} MB`);
for (const r of rss) {
  const label = `${r.label} as one partition, ${mb(r.bytes)}, ${r.spec}`.padEnd(62);
  const f = r.figures;
  if ('error' in f) {
    console.log(`  ${label} failed: ${f.error}`);
    continue;
  }
  console.log(
    `  ${label} ${`${(f.maxRssKb / 1024).toFixed(0)} MB`.padStart(7)} (+${((f.maxRssKb - idle!.maxRssKb) / 1024).toFixed(0)} MB; target < 200 MB); JS heap in use at most ${(f.peakHeapUsed / 2 ** 20).toFixed(0)} MB, Buffers ${(f.peakExternal / 2 ** 20).toFixed(0)} MB; ${num(f.rowsIn)} rows in ${sec(f.ms)} = ${rate(f.rowsIn, f.ms)}, ${f.invocations} invocation(s)`,
  );
}
if (profile) {
  console.log(`  CPU profile of the 1/10 file's transform (${sec(profile.totalMs)} sampled), self time:`);
  console.log(`    by module:   ${profile.modules.map((x) => `${x.name} ${(100 * x.share).toFixed(1)}%`).join(', ')}`);
  for (const x of profile.functions) console.log(`    ${(100 * x.share).toFixed(1).padStart(5)}%  ${x.name}`);
}

// 5. cost from the counts.
interface Cost {
  transitions: number;
  lambdaGbSeconds: number;
  lambdaRequests: number;
  s3PutList: number;
  s3Get: number;
  dynamoWrites: number;
  dynamoReads: number;
}
const dollars = (c: Cost) => ({
  transitions: c.transitions * PRICES.transition,
  lambda: c.lambdaGbSeconds * PRICES.lambdaGbSecond + c.lambdaRequests * PRICES.lambdaRequest,
  s3: c.s3PutList * PRICES.s3PutListPerRequest + c.s3Get * PRICES.s3GetPerRequest,
  dynamo: c.dynamoWrites * PRICES.dynamoWriteUnit + c.dynamoReads * PRICES.dynamoReadUnit,
});
const total = (d: ReturnType<typeof dollars>) => d.transitions + d.lambda + d.s3 + d.dynamo;
const costOf = (r: EtlRun): Cost => ({
  // Every state entered, plus the one transition AWS charges per Distributed Map child execution started.
  transitions: r.statesEntered.parent + r.statesEntered.children + r.childExecutions,
  lambdaGbSeconds: r.lambdaGbSeconds,
  lambdaRequests: r.lambdaRequests,
  s3PutList: r.s3.requests.PUT + r.s3.requests.COPY + r.s3.requests.POST + r.s3.requests.LIST,
  s3Get: r.s3.requests.GET + r.s3.requests.HEAD,
  // One unit per request: a lower bound (an item over 1 KB costs more write units).
  dynamoWrites: r.dynamo.writes,
  dynamoReads: r.dynamo.reads,
});
const line = (label: string, c: Cost, gb: number) => {
  const d = dollars(c);
  return `  ${label.padEnd(44)} ${usd(total(d) / gb).padStart(9)}/GB = transitions ${num(c.transitions)} (${usd(d.transitions / gb)}/GB), Lambda ${c.lambdaGbSeconds.toFixed(1)} GB-s + ${num(c.lambdaRequests)} requests (${usd(d.lambda / gb)}/GB), S3 ${num(c.s3PutList)} PUT/LIST + ${num(c.s3Get)} GET/HEAD (${usd(d.s3 / gb)}/GB), DynamoDB ${num(c.dynamoWrites)} writes + ${num(c.dynamoReads)} reads (${usd(d.dynamo / gb)}/GB)`;
};
const costed = [sizeRuns.at(-1)!, flights!];
console.log(`\n5. cost per GB of input in AWS (GB = 1e9 bytes), from what the runs counted; prices ${PRICES.asOf}:`);
console.log(`  Step Functions $${PRICES.transition * 1000}/1,000 transitions; Lambda x86 $${PRICES.lambdaGbSecond}/GB-s + $${PRICES.lambdaRequest * 1e6}/1M requests; S3 $${PRICES.s3PutListPerRequest * 1000}/1,000 PUT/LIST, $${PRICES.s3GetPerRequest * 1000}/1,000 GET; DynamoDB on demand $${PRICES.dynamoWriteUnit * 1e6}/1M writes, $${PRICES.dynamoReadUnit * 1e6}/1M reads (1 unit per request assumed)`);
for (const r of costed) {
  const gb = r.run.bytes / 1e9;
  console.log(line(`this pipeline, ${r.label}`, costOf(r.run), gb));
  console.log(`    (${num(r.run.statesEntered.parent)} states entered in the parent, ${num(r.run.statesEntered.children)} in ${num(r.run.childExecutions)} child executions; memory from the catalog, durations as measured here)`);
}
{
  // Distributed Map over the same CSV with its CSV ItemReader: every row an item. Each child execution
  // costs one transition plus its own states (one Task); the Lambda does the same per-row work as ours
  // (our transform's time per row, at its memory), billed at least 1 ms per invocation.
  const r = sizeRuns.at(-1)!.run;
  const gb = r.bytes / 1e9;
  const t = r.summary.byFunction.EtlTransform!;
  const msPerRow = t.totalMs / r.rows;
  const gbs = (ms: number) => (ms / 1000) * (memoryOf('EtlTransform') / 1024);
  const perBatch = Math.floor((256 * 1024) / (dmJsonBytes + 1));
  const batches = Math.ceil(r.rows / perBatch);
  const none = { s3PutList: 0, s3Get: 0, dynamoWrites: 0, dynamoReads: 0 };
  console.log(line(`Distributed Map CSV reader, one row per child`, { transitions: 2 * r.rows, lambdaGbSeconds: r.rows * gbs(Math.max(1, msPerRow)), lambdaRequests: r.rows, ...none }, gb));
  console.log(line(`  same, ItemBatcher ${num(perBatch)} rows per child`, { transitions: 2 * batches, lambdaGbSeconds: gbs(r.rows * msPerRow), lambdaRequests: batches, ...none }, gb));
  console.log(`    (${sizeRuns.at(-1)!.label}; a row is ${dmJsonBytes.toFixed(0)} bytes of JSON as the reader hands it over, so 256 KiB batches hold ${num(perBatch)}; Lambda time per row ${(msPerRow * 1000).toFixed(1)} us as our transform's; S3, DynamoDB and the reduce left out: a lower bound)`);
}
