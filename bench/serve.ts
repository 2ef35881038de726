// `longhaul serve` overhead: (a) executions/s of a Pass-only machine started and followed to SUCCEEDED
// through the SDK over HTTP, against the same executions on the engine in process; (b) StartExecution →
// SUCCEEDED latency seen by a client; (c) 1,000 executions held open at once (a Wait each) with
// the process's memory; (d) what durability (the history journal) costs per transition, against the same
// Choice loop on an engine without a journal. Prints figures; asserts nothing.
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, loadDefinition } from '../local/engine';
import type { LambdaInvoker } from '../local/lambda/types';
import { startServe } from '../local/serve/serve';

const noLambda: LambdaInvoker = { invoke: () => Promise.reject(new Error('not used')) };
const ROLE = 'arn:aws:iam::000000000000:role/bench';
const EXECUTIONS = 1_000;
const CLIENTS = 16;
const LATENCY_SAMPLES = 300;
const HELD = 1_000;
const LOOP_ITERATIONS = 5_000;

const passOnly = {
  StartAt: 'A',
  States: {
    A: { Type: 'Pass', Result: { step: 1 }, ResultPath: '$.a', Next: 'B' },
    B: { Type: 'Pass', Parameters: { 'value.$': '$.value', 'a.$': '$.a' }, Next: 'C' },
    C: { Type: 'Pass', End: true },
  },
};

const choiceLoop = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { i: 0 }, Next: 'Inc' },
    Inc: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: LOOP_ITERATIONS, Next: 'Inc' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

const held = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 3600, End: true } } };

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

async function untilSucceeded(sfn: SFNClient, executionArn: string): Promise<void> {
  for (;;) {
    const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status === 'SUCCEEDED') return;
    if (status !== 'RUNNING') throw new Error(`${executionArn}: ${status}`);
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'longhaul-bench-serve-'));
  const serve = await startServe({ dataDir, port: 0, pipelines: [], functions: [], onLog: () => {} });
  const sfn = new SFNClient({ endpoint: serve.endpoint, region: serve.region, credentials: serve.credentials, maxAttempts: 1 });
  try {
    console.log(`serve benchmark (node ${process.version}; server and client in one process; after 300 warm-up executions)`);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'pass-only', definition: JSON.stringify(passOnly), roleArn: ROLE }));

    // Warm-up: the first few hundred requests run cold (unoptimized) code on both sides.
    for (let i = 0; i < 300; i++) {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"value":1}' }));
      await untilSucceeded(sfn, executionArn!);
    }

    // (a) throughput over HTTP vs in process
    let n = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (n < EXECUTIONS) {
        n++;
        const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"value":1}' }));
        await untilSucceeded(sfn, executionArn!);
      }
    }));
    const httpRate = EXECUTIONS / ((performance.now() - t0) / 1000);
    // The same requests from a bare keep-alive HTTP client: what the server costs without the SDK's own work.
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const call = (action: string, body: object) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = http.request(serve.endpoint, { method: 'POST', agent, headers: { 'x-amz-target': `AWSStepFunctions.${action}`, 'content-type': 'application/x-amz-json-1.0' } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
        });
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    let m = 0;
    const t2 = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (m < EXECUTIONS) {
        m++;
        const { executionArn } = await call('StartExecution', { stateMachineArn, input: '{"value":1}' });
        while ((await call('DescribeExecution', { executionArn })).status === 'RUNNING');
      }
    }));
    const rawRate = EXECUTIONS / ((performance.now() - t2) / 1000);
    agent.destroy();
    const engine = createEngine({ lambda: noLambda });
    const definition = loadDefinition(passOnly);
    const t1 = performance.now();
    for (let i = 0; i < EXECUTIONS; i += CLIENTS) {
      await Promise.all(Array.from({ length: CLIENTS }, () => engine.startExecution(definition, { value: 1 }).done));
    }
    const engineRate = EXECUTIONS / ((performance.now() - t1) / 1000);
    await engine.close();
    console.log(`(a) Pass-only machine (3 states), ${EXECUTIONS} executions, ${CLIENTS} at a time`);
    console.log(`    over HTTP (SDK: StartExecution, then DescribeExecution until SUCCEEDED)  ${httpRate.toFixed(0)} executions/s`);
    console.log(`    over HTTP from a bare node:http client (same requests, no SDK)            ${rawRate.toFixed(0)} executions/s`);
    console.log(`    engine in process (no HTTP, no journal)                                    ${engineRate.toFixed(0)} executions/s`);
    console.log(`    ratio http/engine ${(httpRate / engineRate).toFixed(2)} (SDK), ${(rawRate / engineRate).toFixed(2)} (bare client); client and server share this one thread`);

    // (b) latency, one execution at a time
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const start = performance.now();
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"value":1}' }));
      await untilSucceeded(sfn, executionArn!);
      latencies.push(performance.now() - start);
    }
    console.log(`(b) StartExecution -> SUCCEEDED seen by the client, ${LATENCY_SAMPLES} sequential: median ${median(latencies).toFixed(2)} ms, p95 ${p95(latencies).toFixed(2)} ms (target median < 5 ms)`);

    // (c) executions held open
    global.gc?.();
    const before = process.memoryUsage();
    const { stateMachineArn: heldArn } = await sfn.send(new CreateStateMachineCommand({ name: 'held', definition: JSON.stringify(held), roleArn: ROLE }));
    const arns: string[] = [];
    for (let i = 0; i < HELD; i += 50) {
      arns.push(...(await Promise.all(Array.from({ length: 50 }, async () => (await sfn.send(new StartExecutionCommand({ stateMachineArn: heldArn }))).executionArn!))));
    }
    const running = serve.stack.engine.control.listExecutions({ stateMachineArn: heldArn, status: 'RUNNING' }).length;
    global.gc?.();
    const after = process.memoryUsage();
    console.log(`(c) ${HELD} executions held open (in an hour-long Wait), ${running} RUNNING: rss ${mb(before.rss)} -> ${mb(after.rss)}, heap ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} (${((after.heapUsed - before.heapUsed) / HELD / 1024).toFixed(1)} KB of heap each)`);
    const s = performance.now();
    await Promise.all(arns.map((executionArn) => sfn.send(new StopExecutionCommand({ executionArn }))));
    console.log(`    stopped all ${HELD} in ${((performance.now() - s) / 1000).toFixed(2)} s`);

    // (d) the journal's cost per transition
    const loop = loadDefinition(choiceLoop);
    const rate = async (durableDir?: string) => {
      const e = createEngine({ lambda: noLambda, durableDir });
      let bestRate = 0;
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        const execution = e.startExecution(loop, {});
        await execution.done;
        bestRate = Math.max(bestRate, execution.history.length / 2 / ((performance.now() - start) / 1000));
      }
      await e.close();
      return bestRate;
    };
    const plain = await rate();
    const durable = await rate(join(dataDir, 'journal-bench'));
    const share = 1 - durable / plain;
    console.log(`(d) Choice loop, ${LOOP_ITERATIONS * 2} transitions, best of 3: journaled ${durable.toFixed(0)} transitions/s, in memory only ${plain.toFixed(0)}/s`);
    console.log(`    durability costs ${(share * 100).toFixed(0)}% of a transition (${((1 / durable - 1 / plain) * 1e6).toFixed(1)} us of ${(1e6 / durable).toFixed(1)} us)`);
  } finally {
    sfn.destroy();
    await serve.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
