// Engine throughput: (a) a Pass+Choice loop in transitions/s, (b) an inline Map over an in-process no-op task in
// tasks/s, (c) the same Map through the Lambda runner. Each figure comes with a baseline measured in this run:
// the same data functions in a plain loop for (a), the same calls without the engine for (b) and (c).
// History recording is on throughout (it always is). Prints figures; asserts nothing.
import type { FunctionSpec } from '../handlers/catalog-types';
import { createEngine, loadDefinition, type StateMachineDefinition } from '../local/engine';
import { selectChoice } from '../local/engine/choice';
import { applyInputPath, applyOutputPath, applyResultPath } from '../local/engine/io-processing';
import { applyPayloadTemplate } from '../local/engine/payload-template';
import { createLambdaRuntime } from '../local/lambda/runtime';
import type { LambdaInvoker } from '../local/lambda/types';
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

async function benchLoop(): Promise<void> {
  const engine = createEngine({ lambda: noLambda });
  const engineRates: number[] = [];
  let events = 0;
  let transitions = 0;
  for (let r = 0; r <= REPEAT; r++) {
    const execution = engine.startExecution(loop, {});
    const seconds = await time(() => execution.done);
    if (r === 0) continue; // JIT warm-up
    transitions = execution.history.filter((e) => e.type.endsWith('StateEntered')).length;
    events = execution.history.length;
    const status = execution.status();
    if (status !== 'SUCCEEDED') throw new Error(`loop ended ${status}`);
    engineRates.push(transitions / seconds);
  }
  await engine.close();
  const baseRates: number[] = [];
  for (let r = 0; r <= REPEAT; r++) {
    let n = 0;
    const seconds = await time(() => (n = plainLoop()));
    if (r > 0) baseRates.push(n / seconds);
  }
  const e = best(engineRates);
  const b = best(baseRates);
  console.log(`(a) Choice loop, ${ITERATIONS} iterations: ${transitions} transitions, ${events} history events (default 25,000 quota)`);
  console.log(`    engine   ${fmt(e)} transitions/s   (target >= 50,000)`);
  console.log(`    baseline ${fmt(b)} transitions/s   (same data functions in a plain loop)`);
  console.log(`    ratio engine/baseline ${(e / b).toFixed(2)}`);
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

async function main(): Promise<void> {
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
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
