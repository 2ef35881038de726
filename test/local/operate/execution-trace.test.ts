// The execution trace, the timeline and the cost of one real execution on `longhaul serve`: a user state
// machine whose Task fails and is retried twice, then a Distributed Map of three items (MaxConcurrency 2)
// where one item's function times out (tolerated). Expected figures come from the raw Step Functions
// history read here with the SDK, and from the pricing rules applied by hand.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import fastXmlParser from 'fast-xml-parser';
import { createCostCommand } from '../../../local/cli/cost';
import { createTimelineCommand } from '../../../local/cli/timeline';
import { awsTargetFromFlags, createOperateClients, type OperateClients } from '../../../local/operate/aws-target';
import { estimateCost } from '../../../local/operate/cost';
import { findExecution, readExecutionTrace, recentClosedHistories, type ExecutionTrace } from '../../../local/operate/execution-trace';
import { invokedFunctions, readFunctionConfigs } from '../../../local/operate/function-configs';
import { DEFAULT_PRICES } from '../../../local/operate/prices';
import { OUTCOME_COLOURS, renderTimelineHtml, renderTimelineSvg } from '../../../local/operate/timeline';
import { startServe, type Serve } from '../../../local/serve/serve';
import { fixtureFunction } from '../../support/fixture-function';

const PROBE_MEMORY_MB = 512;
const PROBE_TMP_MB = 1536;
const SLOW_MEMORY_MB = 128;

describe('execution trace, timeline and cost of a real execution on longhaul serve', function () {
  this.timeout(60_000);
  let serve: Serve;
  let work: string;
  let sfn: SFNClient;
  let clients: OperateClients;
  let probe: string;
  let slow: string;
  let executionArn: string;
  /** The execution the job's Nested state started. */
  let nestedArn: string;
  let trace: ExecutionTrace;
  /** Raw histories by execution ARN, the job's own first, then its Map items'. */
  const histories = new Map<string, HistoryEvent[]>();

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'longhaul-operate-'));
    serve = await startServe({
      dataDir: join(work, 'data'),
      port: 0,
      pipelines: [],
      functions: [
        fixtureFunction('Probe', { memoryMb: PROBE_MEMORY_MB, ephemeralStorageMb: PROBE_TMP_MB }),
        fixtureFunction('Slow', { memoryMb: SLOW_MEMORY_MB, timeoutSeconds: 1 }),
      ],
      naming: { prefix: 'longhaul', stackName: 'dev' },
      // Retry intervals of 1 s become 50 ms; Slow's 1 s timeout 50 ms.
      timeScale: 0.05,
      onLog: () => {},
      onProblem: () => {},
    });
    [probe, slow] = ['longhaul-dev-probe', 'longhaul-dev-slow'];
    expect(serve.functionNames).to.include.members([probe, slow]);
    sfn = new SFNClient({ endpoint: serve.endpoint, region: serve.region, credentials: serve.credentials });
    clients = createOperateClients(awsTargetFromFlags({ 'endpoint-url': serve.endpoint }, {}), {});

    const create = async (name: string, definition: object) =>
      (await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::000000000000:role/operate' }))).stateMachineArn!;
    const other = await create('operate-other', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const machine = await create('operate-job', {
      StartAt: 'Flaky',
      States: {
        Flaky: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: probe, Payload: { action: 'throw', name: 'Boom', message: 'not yet' } },
          Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2, IntervalSeconds: 1, BackoffRate: 1 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Fan' }],
          Next: 'Fan',
        },
        Fan: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 2,
          ToleratedFailureCount: 1,
          ResultPath: null,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Work',
            States: {
              Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName.$': '$.fn', 'Payload.$': '$.payload' }, End: true },
            },
          },
          Next: 'Nested',
        },
        Nested: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: other, Input: {} },
          ResultPath: null,
          Next: 'Done',
        },
        Done: { Type: 'Pass', End: true },
      },
    });
    const start = async (stateMachineArn: string, name: string, input: object) =>
      (await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }))).executionArn!;
    // An older execution named after the job on another machine: the job id must resolve to the newest.
    await waitForEnd(await start(other, 'opjob', { jobId: 'opjob' }));
    executionArn = await start(machine, `opjob-${Date.now()}`, {
      jobId: 'opjob',
      items: [
        { fn: probe, payload: { action: 'echo', value: 1 } },
        { fn: probe, payload: { action: 'remaining', sleepMs: 150 } },
        { fn: slow, payload: { action: 'hang' } },
      ],
    });
    await waitForEnd(executionArn);
    // Newer, but its name is not the job's.
    await waitForEnd(await start(other, 'opjobx', {}));

    histories.set(executionArn, await history(executionArn));
    const mapRunArn = histories.get(executionArn)!.find((e) => e.type === 'MapRunStarted')!.mapRunStartedEventDetails!.mapRunArn!;
    const children = (await sfn.send(new ListExecutionsCommand({ mapRunArn }))).executions!;
    for (const child of children) histories.set(child.executionArn!, await history(child.executionArn!));
    nestedArn = (JSON.parse(histories.get(executionArn)!.find((e) => e.type === 'TaskSucceeded' && e.taskSucceededEventDetails!.resourceType === 'states')!.taskSucceededEventDetails!.output!) as { ExecutionArn: string }).ExecutionArn;
    histories.set(nestedArn, await history(nestedArn));
    trace = await readExecutionTrace(clients, executionArn);
  });

  after(async () => {
    clients?.destroy();
    sfn?.destroy();
    await serve?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function waitForEnd(arn: string): Promise<void> {
    for (;;) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      if (d.status !== 'RUNNING') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function history(arn: string): Promise<HistoryEvent[]> {
    return (await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }))).events!;
  }

  const allEvents = () => [...histories.values()].flat();

  /** Every Lambda invocation in the raw histories: its function, when it started, how long it took. */
  function invocations(): Array<{ fn: string; startedMs: number; ms: number }> {
    const out: Array<{ fn: string; startedMs: number; ms: number }> = [];
    // Each history here is sequential: an invocation's events follow one another.
    for (const events of histories.values()) {
      let fn = '';
      let started = 0;
      for (const e of events) {
        if (e.type === 'TaskScheduled') {
          const d = e.taskScheduledEventDetails!;
          fn = d.resourceType === 'lambda' ? (JSON.parse(d.parameters!) as { FunctionName: string }).FunctionName : '';
        }
        if (e.type === 'TaskStarted') started = e.timestamp!.getTime();
        if ((e.type === 'TaskSucceeded' || e.type === 'TaskFailed') && fn) out.push({ fn, startedMs: started, ms: e.timestamp!.getTime() - started });
      }
    }
    return out;
  }

  describe('readExecutionTrace', () => {
    it('has every task attempt with its function, retry number and outcome', () => {
      const scheduled = allEvents().filter((e) => e.type === 'TaskScheduled').length;
      expect(scheduled).to.equal(7);
      expect(trace.tasks).to.have.length(scheduled);
      const nested = trace.tasks.find((t) => t.stateName === 'Nested')!;
      expect([nested.resourceType, nested.resource, nested.outcome, nested.functionName]).to.deep.equal(['states', 'startExecution.sync:2', 'succeeded', undefined]);
      const flaky = trace.tasks.filter((t) => t.stateName === 'Flaky');
      expect(flaky.map((t) => [t.retry, t.outcome, t.error, t.functionName])).to.deep.equal([
        [0, 'failed', 'Boom', probe],
        [1, 'failed', 'Boom', probe],
        [2, 'failed', 'Boom', probe],
      ]);
      const work = trace.tasks.filter((t) => t.stateName === 'Work');
      expect(work.map((t) => t.outcome).sort()).to.deep.equal(['succeeded', 'succeeded', 'timed-out']);
      const timedOut = work.find((t) => t.outcome === 'timed-out')!;
      expect(timedOut.functionName).to.equal(slow);
      expect(timedOut.error).to.equal('Sandbox.Timedout');
      for (const t of work) {
        expect(t.mapRunArn).to.equal(trace.mapRuns[0]!.mapRunArn);
        expect(histories.has(t.executionArn) && t.executionArn !== executionArn).to.equal(true);
      }
      for (const t of trace.tasks) expect(t.endedAt!.getTime()).to.be.at.least(t.startedAt!.getTime());
    });

    it('has the Map run with its item counts and items', () => {
      expect(trace.mapRuns).to.have.length(1);
      const run = trace.mapRuns[0]!;
      expect(run.stateName).to.equal('Fan');
      expect(run.maxConcurrency).to.equal(2);
      expect(run.itemCounts).to.include({ total: 3, succeeded: 2, failed: 1 });
      expect(run.items.map((i) => i.status).sort()).to.deep.equal(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
      expect(run.items.find((i) => i.status === 'FAILED')!.error).to.equal('Sandbox.Timedout');
    });

    it('follows the execution a startExecution task started', () => {
      expect(trace.startedExecutions.map((e) => [e.executionArn, e.status])).to.deep.equal([[nestedArn, 'SUCCEEDED']]);
      expect(trace.states.filter((v) => v.executionArn === nestedArn).map((v) => v.stateName)).to.deep.equal(['P']);
    });

    it('counts transitions as AWS bills them', () => {
      // Documented rule: a transition per state run (Flaky, Fan, Nested, Done in the job; Work in each of
      // the 3 items; P in the started execution), one per retry (2), one per child execution a
      // Distributed Map starts (3).
      expect(trace.transitions).to.deep.equal({ stateEntries: 8, retries: 2, mapChildExecutions: 3, redrives: 0, total: 13 });
    });

    it('carries the definition, the status and the input', () => {
      expect(JSON.parse(trace.definition).StartAt).to.equal('Flaky');
      expect(trace.stateMachineName).to.equal('operate-job');
      expect(trace.execution.status).to.equal('SUCCEEDED');
      expect(JSON.parse(trace.execution.input!).jobId).to.equal('opjob');
    });

    it('reads a closed history once across reads that share closedHistories, and gives the same trace', async () => {
      const read: string[] = [];
      clients.sfn.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'GetExecutionHistoryCommand') read.push((args.input as { executionArn: string }).executionArn);
          return next(args);
        },
        { step: 'initialize', name: 'countHistoryReads' },
      );
      try {
        const closedHistories = new Map<string, HistoryEvent[]>();
        const first = await readExecutionTrace(clients, executionArn, { closedHistories });
        const firstReads = [...read].sort();
        read.length = 0;
        const second = await readExecutionTrace(clients, executionArn, { closedHistories });
        // The job, its 3 Map items and the execution it started, each once; then only the job itself, which is reread.
        expect(firstReads).to.deep.equal([...histories.keys()].sort());
        expect(read).to.deep.equal([executionArn]);
        expect({ ...second, readAt: undefined }).to.deep.equal({ ...first, readAt: undefined });
        expect({ ...second, readAt: undefined }).to.deep.equal({ ...trace, readAt: undefined });
      } finally {
        clients.sfn.middlewareStack.remove('countHistoryReads');
      }
    });

    it('keeps at most the given number of closed histories for a long-lived reader, the most recently stored', () => {
      const kept = recentClosedHistories(2);
      const history = (n: number) => [{ id: n, type: 'ExecutionStarted', timestamp: new Date(0) }] as HistoryEvent[];
      kept.set('a', history(1));
      kept.set('b', history(2));
      kept.set('a', history(3));
      kept.set('c', history(4));
      expect([kept.get('a')?.[0]?.id, kept.get('b'), kept.get('c')?.[0]?.id]).to.deep.equal([3, undefined, 4]);
    });

    it('findExecution resolves a job id to its newest execution and checks an ARN', async () => {
      expect(await findExecution(clients, 'opjob')).to.equal(executionArn);
      expect(await findExecution(clients, executionArn)).to.equal(executionArn);
      const missing = await findExecution(clients, 'nosuchjob').catch((err: Error) => err);
      expect((missing as Error).message).to.match(/no execution named "nosuchjob"/);
      const badArn = await findExecution(clients, 'arn:aws:states:us-east-1:000000000000:stateMachine:x').catch((err: Error) => err);
      expect((badArn as Error).message).to.match(/not an execution ARN/);
    });
  });

  describe('the timeline of that execution', () => {
    const timeouts = { 'longhaul-dev-probe': 0.1, 'longhaul-dev-slow': 0.05 };
    let svg: string;
    before(() => {
      svg = renderTimelineSvg(trace, timeouts);
    });

    const attrs = (tag: string) => [...tag.matchAll(/([\w-]+)="([^"]*)"/g)].reduce<Record<string, string>>((a, m) => ({ ...a, [m[1]!]: m[2]! }), {});
    const elements = (re: RegExp) => [...svg.matchAll(re)].map((m) => attrs(m[0]));

    it('is well-formed XML, and the HTML page wraps it with a legend', () => {
      expect(fastXmlParser.validate(svg)).to.equal(true);
      const html = renderTimelineHtml(trace, timeouts);
      expect(html).to.contain(svg);
      expect(html).to.match(/<h1>operate-job \/ opjob-\d+<\/h1>/);
      expect(html).not.to.match(/<(script|link)\b|src="http/);
      for (const colour of Object.values(OUTCOME_COLOURS)) expect(html).to.contain(colour);
    });

    it('draws a bar per attempt, coloured by outcome, and marks the retries', () => {
      const bars = elements(/<rect class="attempt [^>]*>/g);
      expect(bars).to.have.length(7);
      const byOutcome = (cls: string) => bars.filter((b) => b.class!.split(' ').includes(cls));
      expect(byOutcome('outcome-failed').map((b) => b.fill)).to.deep.equal(Array(3).fill('#c62828'));
      expect(byOutcome('outcome-succeeded').map((b) => b.fill)).to.deep.equal(Array(3).fill('#2e7d32'));
      expect(byOutcome('outcome-timed-out').map((b) => b['data-function'])).to.deep.equal([slow]);
      expect(byOutcome('retry').map((b) => b['data-retry'])).to.deep.equal(['1', '2']);
      expect(elements(/<g class="retry-mark"[^>]*>/g).map((g) => g['data-retry'])).to.deep.equal(['1', '2']);
      expect(elements(/<rect class="map-item [^>]*>/g)).to.have.length(3);
    });

    it('puts the 80% timeout tick 0.8 × timeout after each invocation started', () => {
      const root = attrs(svg.match(/<svg [^>]*>/)![0]);
      const startMs = Number(root['data-start-ms']);
      const endMs = Number(root['data-end-ms']);
      const [x0, x1] = [Number(root['data-x0']), Number(root['data-x1'])];
      expect(startMs).to.equal(trace.execution.startDate.getTime());
      const expected = invocations()
        .map((i) => i.startedMs + 0.8 * (timeouts as Record<string, number>)[i.fn]! * 1000)
        .filter((at) => at <= endMs)
        .map((at) => x0 + ((at - startMs) / (endMs - startMs)) * (x1 - x0))
        .sort((a, b) => a - b);
      const ticks = elements(/<line class="timeout-tick"[^>]*>/g).map((t) => Number(t.x1)).sort((a, b) => a - b);
      expect(expected.length).to.be.greaterThan(0);
      expect(ticks).to.have.length(expected.length);
      ticks.forEach((x, i) => expect(x).to.be.closeTo(expected[i]!, 0.01));
    });

    it('draws the Map concurrency as a step line peaking at the most items seen running at once', () => {
      const items = trace.mapRuns[0]!.items.map((i) => [i.startDate.getTime(), i.stopDate!.getTime()] as const);
      // Items running when each item starts, itself included.
      const peak = Math.max(...items.map(([s]) => items.filter(([s2, e2]) => s2 <= s && s < e2).length));
      const [line] = elements(/<path class="concurrency"[^>]*>/g);
      expect(Number(line!['data-peak'])).to.equal(peak);
      expect(peak).to.be.within(1, 2);
      expect(line!.d).to.match(/^M[\d.]+,[\d.]+( [HV][\d.]+)+$/);
    });
  });

  describe('the cost of that execution', () => {
    it('prices transitions, requests and GB-seconds by hand-applied rules', async () => {
      const functions = await readFunctionConfigs(clients.lambda, invokedFunctions(trace));
      expect(functions[probe]).to.deep.equal({ timeoutSeconds: 60, memoryMb: PROBE_MEMORY_MB, ephemeralStorageMb: PROBE_TMP_MB, architecture: 'x86_64' });
      const estimate = estimateCost({ trace, functions, prices: DEFAULT_PRICES });

      expect(estimate.transitions.cost).to.be.closeTo((13 * 0.025) / 1000, 1e-12);
      const runs = invocations();
      expect(runs).to.have.length(6);
      const probeMs = runs.filter((r) => r.fn === probe).reduce((s, r) => s + r.ms, 0);
      const slowMs = runs.filter((r) => r.fn === slow).reduce((s, r) => s + r.ms, 0);
      const gbs = (probeMs / 1000) * (PROBE_MEMORY_MB / 1024) + (slowMs / 1000) * (SLOW_MEMORY_MB / 1024);
      const tmpGbs = (probeMs / 1000) * ((PROBE_TMP_MB - 512) / 1024);
      expect(estimate.lambda.requests).to.equal(6);
      expect(estimate.lambda.requestCost).to.be.closeTo(6 * 0.0000002, 1e-15);
      expect(estimate.lambda.gbSeconds).to.be.closeTo(gbs, 1e-9);
      expect(estimate.lambda.durationCost).to.be.closeTo(gbs * 0.0000166667, 1e-15);
      expect(estimate.lambda.ephemeralGbSeconds).to.be.closeTo(tmpGbs, 1e-9);
      expect(estimate.lambda.ephemeralCost).to.be.closeTo(tmpGbs * 0.0000000309, 1e-18);
      expect(estimate.s3).to.equal(undefined);
      expect(estimate.total).to.be.closeTo((13 * 0.025) / 1000 + 6 * 0.0000002 + gbs * 0.0000166667 + tmpGbs * 0.0000000309, 1e-15);
    });
  });

  describe('the commands', () => {
    const run = async (create: typeof createTimelineCommand | typeof createCostCommand, argv: string[]) => {
      let out = '';
      let err = '';
      const command = create({ stdout: (t: string) => (out += `${t}\n`), stderr: (t: string) => (err += `${t}\n`), env: {} });
      const code = await command.run(argv);
      return { code, out, err };
    };

    it('longhaul timeline writes the HTML and SVG files for a job id', async () => {
      const html = join(work, 'job.html');
      const r = await run(createTimelineCommand, ['opjob', '--out', html, '--endpoint-url', serve.endpoint]);
      expect(r.err).to.equal('');
      expect(r.code).to.equal(0);
      expect(r.out).to.contain('SUCCEEDED, 7 task attempt(s), 3 Map item(s)');
      const page = await readFile(html, 'utf8');
      expect(page.match(/<rect class="attempt /g)).to.have.length(7);
      const svgFile = join(work, 'job.svg');
      expect((await run(createTimelineCommand, [executionArn, '--out', svgFile, '--endpoint-url', serve.endpoint])).code).to.equal(0);
      expect(fastXmlParser.validate(await readFile(svgFile, 'utf8'))).to.equal(true);
    });

    it('longhaul timeline refuses a bad --out and reports an unknown job on one line', async () => {
      const bad = await run(createTimelineCommand, ['opjob', '--out', join(work, 'x.png'), '--endpoint-url', serve.endpoint]).catch((e: Error) => e);
      expect((bad as Error).name).to.equal('UsageError');
      const missing = await run(createTimelineCommand, ['nosuchjob', '--out', join(work, 'x.svg'), '--endpoint-url', serve.endpoint]);
      expect(missing.code).to.equal(1);
      expect(missing.err).to.match(/^longhaul timeline: no execution named "nosuchjob"/);
    });

    it('longhaul cost prints the job and per-N figures, with a price file laid over the defaults', async () => {
      const text = await run(createCostCommand, ['opjob', '--per', '1000', '--endpoint-url', serve.endpoint]);
      expect(text.code).to.equal(0);
      expect(text.out).to.match(/Step Functions state transitions\s+13\s+\$0\.000325\s+\$0\.325/);
      expect(text.out).to.match(/S3 requests\s+not measured/);

      const prices = join(work, 'prices.json');
      await writeFile(prices, JSON.stringify({ stepFunctions: { perTransition: 1 }, lambda: { perRequest: 0, perGbSecond: { x86_64: 0 }, perEphemeralGbSecond: 0 } }));
      const json = await run(createCostCommand, ['opjob', '--per', '10', '--prices', prices, '--json', '--endpoint-url', serve.endpoint]);
      expect(json.code).to.equal(0);
      const estimate = JSON.parse(json.out) as { total: number; perJobs: number; transitions: { cost: number } };
      expect(estimate.transitions.cost).to.equal(13);
      expect(estimate.total).to.equal(13);
      expect(estimate.perJobs).to.equal(130);

    });

    it('longhaul cost prices S3 and DynamoDB from the job\'s EMF records within the execution\'s time', async () => {
      const during = trace.execution.startDate.getTime() + 1;
      const record = (jobId: string, timestamp: number, s3: object, writeUnits: number) =>
        JSON.stringify({
          _aws: { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: 'longhaul', Dimensions: [['function', 'pipeline']], Metrics: [{ Name: 'TaskDuration', Unit: 'Milliseconds' }] }] },
          function: 'Probe',
          pipeline: 'test',
          TaskDuration: 5,
          jobId,
          s3Requests: s3,
          dynamodbRequests: 1,
          dynamodbReadUnits: 0,
          dynamodbWriteUnits: writeUnits,
        });
      const emf = join(work, 'emf.ndjson');
      await writeFile(emf, [
        record('opjob', during, { get: 3, put: 2, list: 1, other: 0, delete: 0 }, 4),
        record('opjob', during + 1, { get: 1, put: 0, list: 0, other: 1, delete: 5 }, 2),
        // Another job, and the same job id an hour earlier: not this execution's.
        record('otherjob', during, { get: 100, put: 100, list: 0, other: 0, delete: 0 }, 100),
        record('opjob', during - 3_600_000, { get: 100, put: 100, list: 0, other: 0, delete: 0 }, 100),
      ].join('\n'));
      const r = await run(createCostCommand, ['opjob', '--metrics', emf, '--json', '--endpoint-url', serve.endpoint]);
      expect(r.err).to.equal('');
      const estimate = JSON.parse(r.out) as { s3: { putOrList: number; getOrOther: number; free: number; cost: number }; dynamodb: { writeUnits: number; cost: number } };
      expect(estimate.s3).to.deep.include({ putOrList: 3, getOrOther: 5, free: 5 });
      expect(estimate.s3.cost).to.be.closeTo(3 * 0.000005 + 5 * 0.0000004, 1e-15);
      expect(estimate.dynamodb.writeUnits).to.equal(6);
      const missing = await run(createCostCommand, ['opjob', '--metrics', join(work, 'none.ndjson'), '--endpoint-url', serve.endpoint]).catch((e: Error) => e);
      expect((missing as Error).message).to.match(/--metrics .*none\.ndjson: no such file/);

    });

    it('longhaul cost names a bad price field', async () => {
      const prices = join(work, 'bad-prices.json');
      await writeFile(prices, JSON.stringify({ stepFunctions: { perTransitions: 1 } }));
      const bad = await run(createCostCommand, ['opjob', '--prices', prices, '--endpoint-url', serve.endpoint]).catch((e: Error) => e);
      expect((bad as Error).message).to.match(/stepFunctions\.perTransitions is not a price field/);
    });
  });
});
