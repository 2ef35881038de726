// Engine throughput: (a) a Pass+Choice loop in transitions/s, in JSONPath and written in JSONata (with the state
// data, and with a variable); (b) an inline Map over an in-process no-op task in tasks/s; (c) the same Map through
// the Lambda runner; (d) a Distributed Map over items an ItemReader reads from a JSONL object in local S3, Pass-only
// children, in items/s and the process's peak RSS, at two item counts, each in a process of its own. (a) to (c)
// come with a baseline measured in this run: the same data functions in a plain loop for (a), the same calls
// without the engine for (b) and (c). History recording is on throughout (it always is). Prints figures; asserts
// nothing. `--map-items 50000,100000` chooses (d)'s counts.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FunctionSpec } from '../handlers/catalog-types';
import { createEngine, loadDefinition, type StateMachineDefinition } from '../local/engine';
import { selectChoice } from '../local/engine/choice';
import { applyInputPath, applyOutputPath, applyResultPath } from '../local/engine/io-processing';
import { applyPayloadTemplate } from '../local/engine/payload-template';
import { createLambdaRuntime } from '../local/lambda/runtime';
import type { LambdaInvoker } from '../local/lambda/types';
import { startLocalServices } from '../local/services';
import { fixtureFunction } from '../test/support/fixture-function';

const ITERATIONS = 5_000;
const ITEMS = 1_000;
const REPEAT = 5;

const noLambda: LambdaInvoker = { invoke: () => Promise.reject(new Error('not used')) };

const loop: StateMachineDefinition = loadDefinition({
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { i: 0, job: 'bench', items: ['a', 'b'] }, Next: 'Inc' },
    Inc: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)', 'job.$': '$.job', 'items.$': '$.items' }, Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: ITERATIONS, Next: 'Inc' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
});

// The same loop in JSONata: the counter in the state data, as above, then in a variable.
const jsonataLoop: StateMachineDefinition = loadDefinition({
  QueryLanguage: 'JSONata',
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Output: { i: 0, job: 'bench', items: ['a', 'b'] }, Next: 'Inc' },
    Inc: { Type: 'Pass', Output: { i: '{% $states.input.i + 1 %}', job: '{% $states.input.job %}', items: '{% $states.input.items %}' }, Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Condition: `{% $states.input.i < ${ITERATIONS} %}`, Next: 'Inc' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
});

const variableLoop: StateMachineDefinition = loadDefinition({
  QueryLanguage: 'JSONata',
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Assign: { i: 0 }, Output: { job: 'bench', items: ['a', 'b'] }, Next: 'Inc' },
    Inc: { Type: 'Pass', Assign: { i: '{% $i + 1 %}' }, Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Condition: `{% $i < ${ITERATIONS} %}`, Next: 'Inc' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
});

const mapOver = (functionName: string): StateMachineDefinition =>
  loadDefinition({
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrency: 0,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Work',
          States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: functionName, 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } },
        },
        End: true,
      },
    },
  });

const items = { items: Array.from({ length: ITEMS }, (_, i) => ({ i })) };

function best(samples: number[]): number {
  return Math.max(...samples);
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** (a) baseline: the same per-state data work (paths, template with intrinsic, choice, JSON for history), no engine. */
function plainLoop(): number {
  let data: unknown = { i: 0, job: 'bench', items: ['a', 'b'] };
  let transitions = 1;
  const inc = loop.States.Inc;
  const check = loop.States.Check;
  if (inc?.Type !== 'Pass' || check?.Type !== 'Choice') throw new Error('the loop needs Inc to be a Pass state and Check a Choice state');
  for (;;) {
    JSON.stringify(data);
    const effective = applyInputPath(data, inc.InputPath);
    data = applyOutputPath(applyResultPath(data, applyPayloadTemplate(inc.Parameters, effective, {}, 'Parameters'), inc.ResultPath), inc.OutputPath);
    JSON.stringify(data);
    transitions++;
    JSON.stringify(data);
    const next = selectChoice(check, applyInputPath(data, check.InputPath));
    JSON.stringify(data);
    transitions++;
    if (next !== 'Inc') return transitions + 1;
  }
}

/** The best transitions/s of `definition` over REPEAT runs after a warm-up one, with its transition and event counts. */
async function loopRate(definition: StateMachineDefinition): Promise<{ rate: number; transitions: number; events: number }> {
  const engine = createEngine({ lambda: noLambda });
  const rates: number[] = [];
  let events = 0;
  let transitions = 0;
  for (let r = 0; r <= REPEAT; r++) {
    const execution = engine.startExecution(definition, {});
    const seconds = await time(() => execution.done);
    if (r === 0) continue; // JIT warm-up
    transitions = execution.history.filter((e) => e.type.endsWith('StateEntered')).length;
    events = execution.history.length;
    const status = execution.status();
    if (status !== 'SUCCEEDED') throw new Error(`loop ended ${status}`);
    rates.push(transitions / seconds);
  }
  await engine.close();
  return { rate: best(rates), transitions, events };
}

async function benchLoop(): Promise<void> {
  const { rate: e, transitions, events } = await loopRate(loop);
  const ata = await loopRate(jsonataLoop);
  const vars = await loopRate(variableLoop);
  const baseRates: number[] = [];
  for (let r = 0; r <= REPEAT; r++) {
    let n = 0;
    const seconds = await time(() => (n = plainLoop()));
    if (r > 0) baseRates.push(n / seconds);
  }
  const b = best(baseRates);
  console.log(`(a) Choice loop, ${ITERATIONS} iterations: ${transitions} transitions, ${events} history events (default 25,000 quota)`);
  console.log(`    engine   ${fmt(e)} transitions/s   (target >= 50,000)`);
  console.log(`    baseline ${fmt(b)} transitions/s   (same data functions in a plain loop)`);
  console.log(`    ratio engine/baseline ${(e / b).toFixed(2)}`);
  console.log(`    JSONata  ${fmt(ata.rate)} transitions/s   (the same loop in JSONata, the counter in the state data; ${(ata.rate / e).toFixed(2)} of JSONPath's)`);
  console.log(`    JSONata  ${fmt(vars.rate)} transitions/s   (the counter in a variable, Assign; ${(vars.rate / e).toFixed(2)} of JSONPath's)`);
}

async function benchMap(label: string, lambda: LambdaInvoker, taskHandlers: Record<string, (x: unknown) => Promise<unknown>> | undefined, functionName: string, repeat: number, target?: string): Promise<void> {
  const engine = createEngine({ lambda, taskHandlers });
  const definition = mapOver(functionName);
  const engineRates: number[] = [];
  // Run 0 warms the JIT (and is not counted), for the engine as for the baseline.
  for (let r = 0; r <= repeat; r++) {
    const execution = engine.startExecution(definition, items);
    const seconds = await time(() => execution.done);
    if (execution.status() !== 'SUCCEEDED') throw new Error(`map ended ${execution.status()}`);
    if (r > 0) engineRates.push(ITEMS / seconds);
  }
  await engine.close();
  // Baseline: the same 1,000 calls, 40 at a time (the inline Map's ceiling), with the same per-item data work
  // (Parameters, the lambda:invoke wrapper, OutputPath, JSON for the events) but no engine.
  const fan = definition.States.Fan;
  const work = fan?.Type === 'Map' ? fan.ItemProcessor?.States.Work : undefined;
  if (work?.Type !== 'Task') throw new Error('the map needs Fan to be a Map whose ItemProcessor runs the Task state Work');
  const call = taskHandlers ? taskHandlers[functionName]! : async (p: unknown) => ((await lambda.invoke(functionName, p)) as { payload?: unknown }).payload;
  const baseRates: number[] = [];
  for (let r = 0; r <= repeat; r++) {
    const seconds = await time(async () => {
      let next = 0;
      await Promise.all(Array.from({ length: 40 }, async () => {
        while (next < ITEMS) {
          const item = items.items[next++];
          JSON.stringify(item);
          const params = applyPayloadTemplate(work.Parameters, item, {}, 'Parameters') as { Payload: unknown };
          JSON.stringify(params);
          const wrapped = { ExecutedVersion: '$LATEST', Payload: await call(params.Payload), SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: 'r' }, StatusCode: 200 };
          JSON.stringify(wrapped);
          JSON.stringify(applyOutputPath(applyResultPath(item, wrapped, work.ResultPath), work.OutputPath));
        }
      }));
    });
    if (r > 0) baseRates.push(ITEMS / seconds);
  }
  const e = best(engineRates);
  const b = best(baseRates);
  console.log(`${label}, ${ITEMS} items:`);
  console.log(`    engine   ${fmt(e)} tasks/s${target ? `   (target >= ${target})` : ''}`);
  console.log(`    baseline ${fmt(b)} tasks/s   (same calls and data work, 40 at a time, no engine)`);
  console.log(`    ratio engine/baseline ${(e / b).toFixed(2)}`);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(9);
}

const noopSpec: FunctionSpec = fixtureFunction('BenchNoop', { entry: 'test/fixtures/functions/noop.ts', timeoutSeconds: 30 });

const distributedMap = (bucket: string): StateMachineDefinition =>
  loadDefinition({
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        MaxConcurrency: 1000,
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: bucket, Key: 'bench/items.jsonl' } },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Keep', States: { Keep: { Type: 'Pass', End: true } } },
        ResultPath: null,
        End: true,
      },
    },
  });

const MB = 1024 * 1024;

/** (d), in a process of its own: writes `count` items to local S3, runs the Map, prints one JSON line of figures. */
async function distributedMapChild(count: number): Promise<void> {
  const services = await startLocalServices({ quiet: true });
  try {
    const s3 = new S3Client({ region: services.region, endpoint: services.endpoints.s3, forcePathStyle: true, credentials: services.credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    const body = Array.from({ length: count }, (_, i) => JSON.stringify({ id: i, key: `input/part-${String(i).padStart(6, '0')}.csv`, bytes: 1024 + (i % 97) })).join('\n');
    await s3.send(new PutObjectCommand({ Bucket: services.bucket, Key: 'bench/items.jsonl', Body: body }));
    s3.destroy();
    const engine = createEngine({ lambda: noLambda, env: services.env });
    const definition = distributedMap(services.bucket);
    gc?.();
    const rssBefore = process.memoryUsage().rss;
    const execution = engine.startExecution(definition, {});
    const seconds = await time(() => execution.done);
    if (execution.status() !== 'SUCCEEDED') throw new Error(`Distributed Map ended ${execution.status()}`);
    const peakRss = process.resourceUsage().maxRSS * 1024;
    gc?.();
    const liveHeap = process.memoryUsage().heapUsed;
    await engine.close();
    console.log(JSON.stringify({ count, seconds, rssBefore, peakRss, liveHeap }));
  } finally {
    await services.stop();
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

async function benchDistributedMap(counts: number[]): Promise<void> {
  console.log('(d) Distributed Map, items read by an ItemReader from a JSONL object in local S3, Pass-only children (MaxConcurrency 1,000),');
  console.log('    each child an execution with its own history; one fresh process per item count (local S3 runs in it too):');
  for (const count of counts) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', new URL(import.meta.url).pathname, '--distributed-map-child', String(count)], { maxBuffer: 1 << 20 });
    const f = JSON.parse(stdout.trim().split('\n').at(-1)!) as { count: number; seconds: number; rssBefore: number; peakRss: number; liveHeap: number };
    console.log(`    ${fmt(f.count)} items: ${fmt(f.count / f.seconds)} items/s (target >= 2,000)   peak RSS ${fmt(f.peakRss / MB)} MB (target < 1,024; ${fmt(f.rssBefore / MB)} MB before the Map)   live heap after ${fmt(f.liveHeap / MB)} MB`);
  }
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const child = argValue('--distributed-map-child');
  if (child) return distributedMapChild(Number(child));
  console.log(`engine benchmark (best of ${REPEAT} after a warm-up run; node ${process.version}; history recording on)`);
  await benchLoop();
  await benchMap('(b) inline Map over an in-process no-op task', noLambda, { Noop: async (x) => x }, 'Noop', REPEAT, '10,000');
  const runtime = createLambdaRuntime({ functions: [noopSpec], env: {}, onLog: () => {} });
  try {
    // Warm the worker pool first: cold starts are the runner's benchmark, not the engine's.
    await Promise.all(Array.from({ length: 8 }, () => runtime.invoke('BenchNoop', {})));
    await benchMap(`(c) the same Map through the Lambda runner (${runtime.stats().workers.live} warm workers)`, runtime, undefined, 'BenchNoop', 2);
  } finally {
    await runtime.close();
  }
  await benchDistributedMap((argValue('--map-items') ?? '50000,100000').split(',').map(Number));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
