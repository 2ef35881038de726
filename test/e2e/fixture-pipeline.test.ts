// A pipeline that exists only in this test (test/fixtures/pipelines/tally: two Lambda tasks and a
// time-boxed loop) run end to end by longhaul's runner, with nothing outside the fixture changed: the
// runner, the engine and the Lambda workers take it from its declaration alone. Its loop must outlast
// its function's 3 s timeout, so it can only finish by checkpointing and resuming.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { collectFunctions } from '../../handlers/catalog';
import { getJob } from '../../handlers/lib/progress';
import { UsageError } from '../../local/cli/command';
import { createRunCommand } from '../../local/cli/run';
import type { InvokeOutcome } from '../../local/lambda/types';
import { runJob } from '../../local/run/job-runner';
import { tallyOutputSchema, tallyPipeline } from '../fixtures/pipelines/tally/pipeline';
import { STEP_LOG_ENV } from '../fixtures/pipelines/tally/sum';
import { rejection } from '../support/rejection';
import { useLocalStack } from '../support/stack';

const dir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-tally-'));
const stepLog = join(dir, 'steps.log');
const functions = collectFunctions([tallyPipeline]).map((spec) =>
  spec.name === 'TallySum' ? { ...spec, env: { ...spec.env, [STEP_LOG_ENV]: stepLog } } : spec,
);

describe('a pipeline declared only in a test fixture, run end to end', function () {
  this.timeout(120_000);
  const localStack = useLocalStack({ functions, onLog: () => {} });
  after(() => rm(dir, { recursive: true, force: true }));

  it('runs its time-boxed loop across several invocations, each ending before the timeout, every number added once', async () => {
    const numbers = Array.from({ length: 40 }, (_, i) => ((i + 3) * 104_729) % 1_000_003);
    const input = join(dir, 'numbers.txt');
    await writeFile(input, `${numbers.join('\n')}\n`);
    const sums: InvokeOutcome[] = [];
    const stop = localStack().observeInvocations((r) => r.functionName === 'TallySum' && sums.push(r.outcome));
    let summary;
    try {
      // 40 numbers × 150 ms = 6 s of work against a 3 s timeout.
      summary = await runJob({ pipeline: tallyPipeline, files: { input }, settings: { itemDelayMs: 150 }, outputPath: join(dir, 'report.json'), stack: localStack() });
    } finally {
      stop();
    }
    expect(summary.result.status, `${summary.result.error}: ${summary.result.cause}`).to.equal('SUCCEEDED');
    const expected = numbers.reduce((a, b) => a + b, 0);
    expect(tallyOutputSchema.parse(summary.result.output)).to.include({ count: 40, sum: expected });
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).to.deep.equal({ count: 40, sum: expected });
    expect(summary.report?.facts).to.deep.equal([['numbers', '40'], ['sum', String(expected)]]);

    // No invocation was killed at its timeout: each returned { done: false, cursor } in time, and the last done.
    expect(sums.length).to.be.at.least(3);
    for (const outcome of sums) {
      expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
      expect(outcome.durationMs).to.be.below(3_000);
    }
    const turns = sums.map((o) => (o as { payload: { done: boolean } }).payload.done);
    expect(turns).to.deep.equal([...turns.slice(0, -1).map(() => false), true]);
    // Every number was added exactly once across the invocations.
    const steps = (await readFile(stepLog, 'utf8')).trim().split('\n').map(Number);
    expect(steps).to.deep.equal(numbers.map((_, i) => i));
    expect(await getJob(summary.jobId)).to.include({ status: 'SUCCEEDED', totalUnits: 40 });
  });

  it('fails a bad input at its first task with a named error, recorded by the shared RecordFailure', async () => {
    const input = join(dir, 'bad.txt');
    await writeFile(input, '1\n2\nthree\n');
    const summary = await runJob({ pipeline: tallyPipeline, files: { input }, stack: localStack() });
    expect(summary.result.status).to.equal('FAILED');
    expect(summary.result.error).to.equal('InvalidInput');
    expect(summary.result.cause).to.contain('row 3');
    expect(await getJob(summary.jobId)).to.include({ status: 'FAILED', error: 'InvalidInput' });
    expect(Object.keys(summary.byFunction).sort()).to.deep.equal(['RecordFailure', 'TallyPlan']);
  });

  it('is a `longhaul run` pipeline: listed, with its flags, defaults and errors from its declaration', async () => {
    const command = createRunCommand({ pipelines: () => [tallyPipeline], functions: () => functions });
    const help = typeof command.help === 'function' ? command.help(['tally']) : command.help;
    expect(help).to.match(/--item-delay-ms <integer>\s+Milliseconds of work per number\. Default 0\.$/m);
    expect(help).to.match(/--input <file>\s+Integers, one per line\. Required\.$/m);
    const input = join(dir, 'numbers.txt');
    const err = await rejection(command.run(['tally', '--input', input, '--item-delay-ms=-1']));
    expect(err).to.be.instanceOf(UsageError);
    expect(err.message).to.match(/^--item-delay-ms: /);
  });
});
