// The runner against real worker processes running test/fixtures/functions/probe.ts: everything with the
// deployed bundles (the default), and what depends on the code (context, warm state, errors and their
// traces, init failures) again from the TypeScript sources (--from-source).
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localFunctionArn } from '../../../local/local-arn';
import { MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES } from '../../../local/lambda/payload-limits';
import type { CodeMode } from '../../../local/lambda/function-code';
import { createLambdaRuntime, formatLogLine, type LambdaRuntime, type RuntimeInvokeOutcome } from '../../../local/lambda/runtime';
import type { LogLine } from '../../../local/lambda/types';
import { fixtureFunction } from '../../support/fixture-function';
import { isGone, waitUntilGone } from '../../support/process-state';

type Payload = Record<string, unknown>;

function payloadOf(outcome: RuntimeInvokeOutcome): Payload {
  if (!outcome.ok) throw new Error(`expected success, got ${JSON.stringify(outcome.error)}`);
  return outcome.payload as Payload;
}

function errorOf(outcome: RuntimeInvokeOutcome) {
  if (outcome.ok) throw new Error(`expected an error, got ${JSON.stringify(outcome.payload)}`);
  return outcome.error;
}

for (const code of ['bundle', 'source'] as const) describeRuntime(code);

function describeRuntime(code: CodeMode): void {
  /** Groups whose behaviour does not depend on what the workers run are defined for the default only. */
  const codeIndependent = (title: string, body: () => void): void => {
    if (code === 'bundle') describe(title, body);
  };
  describe(`local/lambda runtime (${code})`, function () {
    // Time scale 0.01: Probe's 6000 s become 60 s real, Slow's 100 s become 1 s real.
    const timeScale = 0.01;
    let runtime: LambdaRuntime;
    let tmpRoot: string;
    let scratch: string;
    const logs: LogLine[] = [];

    before(() => {
      tmpRoot = mkdtempSync(path.join(tmpdir(), 'longhaul-lambda-test-'));
      scratch = mkdtempSync(path.join(tmpdir(), 'longhaul-lambda-scratch-'));
      runtime = createLambdaRuntime({
        functions: [
          fixtureFunction('Probe', { timeoutSeconds: 6000, env: { PER_FUNCTION: 'probe-only' } }),
          fixtureFunction('Other', { timeoutSeconds: 6000 }),
          fixtureFunction('Slow', { timeoutSeconds: 100 }),
          fixtureFunction('Small', { memoryMb: 128, timeoutSeconds: 6000 }),
          fixtureFunction('Mid', { memoryMb: 512, timeoutSeconds: 6000 }),
          fixtureFunction('Tiny', { ephemeralStorageMb: 1, timeoutSeconds: 6000 }),
          fixtureFunction('NoHandler', { entry: 'test/fixtures/functions/no-handler.ts' }),
          fixtureFunction('Missing', { entry: 'test/fixtures/functions/does-not-exist.ts' }),
        ],
        env: { COMMON: 'from-services' },
        region: 'eu-west-1',
        timeScale,
        tmpRoot,
        code,
        onLog: (line) => logs.push(line),
      });
    });

    after(async () => {
      await runtime.close();
      rmSync(tmpRoot, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    });

    describe('context and environment', () => {
      it("gives the handler Lambda's context, variables and a heap limit from the function's memory", async () => {
        const outcome = await runtime.invoke('Probe', { action: 'context' });
        const p = payloadOf(outcome);
        expect(p.awsRequestId).to.equal(outcome.requestId);
        expect(p.functionName).to.equal('Probe');
        expect(p.invokedFunctionArn).to.equal('arn:aws:lambda:eu-west-1:000000000000:function:Probe');
        expect(p.memoryLimitInMB).to.equal('256');
        // Lambda's cwd is its task root, /var/task: here the bundle's own directory, or the repository for sources.
        const taskRoot = code === 'bundle' ? (p.cwd as string) : path.resolve('.');
        if (code === 'bundle') expect(path.dirname(path.dirname(taskRoot))).to.equal(tmpRoot);
        expect(p.env).to.deep.equal({
          AWS_LAMBDA_FUNCTION_NAME: 'Probe',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
          AWS_LAMBDA_FUNCTION_TIMEOUT: '6000',
          AWS_REGION: 'eu-west-1',
          LAMBDA_TASK_ROOT: taskRoot,
          COMMON: 'from-services',
          PER_FUNCTION: 'probe-only',
        });
        expect(p.cwd).to.equal(taskRoot);
        expect(path.dirname(p.tmpdir as string)).to.equal(tmpRoot);
        // 90% of 256 MB for old space plus young generation; node's default here would be far larger.
        expect(p.heapLimitMb).to.be.within(200, 300);
      });

      it('accepts the function ARN and the $LATEST-qualified ARN', async () => {
        const arn = localFunctionArn('Probe', 'eu-west-1');
        expect(payloadOf(await runtime.invoke(arn, { action: 'echo', value: 1 })).value).to.equal(1);
        expect(payloadOf(await runtime.invoke(`${arn}:$LATEST`, { action: 'echo', value: 2 })).value).to.equal(2);
        expect(runtime.arnOf('Probe')).to.equal(arn);
      });

      it('answers an unknown function with ResourceNotFoundException naming the known ones', async () => {
        const error = errorOf(await runtime.invoke('VideoSplat', {}));
        expect(error.errorType).to.equal('ResourceNotFoundException');
        expect(error.errorMessage).to.contain('arn:aws:lambda:eu-west-1:000000000000:function:VideoSplat');
        expect(error.errorMessage).to.contain('Known functions: Probe, Other, Slow, Small, Mid, Tiny, NoHandler, Missing');
        const versioned = errorOf(await runtime.invoke(`${localFunctionArn('Probe', 'eu-west-1')}:7`, {}));
        expect(versioned.errorType).to.equal('ResourceNotFoundException');
      });
    });

    describe('warm workers', () => {
      it('reuses a warm worker: same process, module state kept, no cold start', async () => {
        const first = await runtime.invoke('Other', { action: 'echo' });
        const second = await runtime.invoke('Other', { action: 'echo' });
        expect(payloadOf(second).pid).to.equal(payloadOf(first).pid);
        expect(payloadOf(second).invocationsInThisWorker).to.equal((payloadOf(first).invocationsInThisWorker as number) + 1);
        expect(second.coldStart).to.equal(false);
      });

      it('keeps /tmp within a warm worker and apart between functions', async () => {
        const written = payloadOf(await runtime.invoke('Probe', { action: 'write-tmp', name: 'state.txt', content: 'kept' }));
        const again = payloadOf(await runtime.invoke('Probe', { action: 'read-tmp', name: 'state.txt' }));
        expect(again).to.deep.equal({ tmpdir: written.tmpdir, content: 'kept' });
        const other = payloadOf(await runtime.invoke('Other', { action: 'read-tmp', name: 'state.txt' }));
        expect(other.content).to.equal(null);
        expect(other.tmpdir).to.not.equal(written.tmpdir);
      });
    });

    codeIndependent('ephemeral storage', () => {
      it("warns when /tmp outgrows the function's ephemeral storage", async () => {
        const over = await runtime.invoke('Tiny', { action: 'write-tmp', name: 'big.bin', content: 'x'.repeat(1100 * 1024) });
        let warning: LogLine | undefined;
        for (let i = 0; i < 100 && !warning; i += 1) {
          await new Promise((r) => setTimeout(r, 20));
          warning = logs.find((l) => l.requestId === over.requestId && l.stream === 'runtime');
        }
        expect(warning?.text).to.match(/^\/tmp holds 1\.1 MB, more than this function's ephemeralStorageMb \(1 MB\)/);
        // Probe's small files stay far below its 512 MB.
        expect(logs.some((l) => l.functionName === 'Probe' && l.text.startsWith('/tmp holds'))).to.equal(false);
      });
    });

    describe('handler errors', () => {
      it("returns a thrown error in Lambda's shape and keeps the worker", async () => {
        const before = payloadOf(await runtime.invoke('Probe', { action: 'echo' })).pid;
        const outcome = await runtime.invoke('Probe', { action: 'throw', name: 'InvalidInput', message: 'jobId is missing' });
        const error = errorOf(outcome);
        expect(error.errorType).to.equal('InvalidInput');
        expect(error.errorMessage).to.equal('jobId is missing');
        expect(error.trace![0]).to.equal('InvalidInput: jobId is missing');
        // The deployed bundle has no source map: its frames name index.mjs, as in Lambda.
        expect(error.trace!.some((l) => l.includes(code === 'bundle' ? '/index.mjs:' : 'probe.ts'))).to.equal(true);
        expect(payloadOf(await runtime.invoke('Probe', { action: 'echo' })).pid).to.equal(before);
      });

      it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection and replaces the worker', async () => {
        const error = errorOf(await runtime.invoke('Other', { action: 'unhandled-rejection' }));
        expect(error.errorType).to.equal('Runtime.UnhandledPromiseRejection');
        expect(error.errorMessage).to.equal('RangeError: nobody awaited me');
        expect((await runtime.invoke('Other', { action: 'echo' })).coldStart).to.equal(true);
      });

      it('reports process.exit as Runtime.ExitError and recovers with a new worker', async () => {
        const before = payloadOf(await runtime.invoke('Other', { action: 'echo' })).pid as number;
        const outcome = await runtime.invoke('Other', { action: 'exit', code: 3 });
        expect(errorOf(outcome)).to.deep.equal({
          errorType: 'Runtime.ExitError',
          errorMessage: `RequestId: ${outcome.requestId} Error: Runtime exited with error: exit status 3`,
        });
        const after = await runtime.invoke('Other', { action: 'echo' });
        expect(after.coldStart).to.equal(true);
        expect(payloadOf(after).pid).to.not.equal(before);
        expect(await waitUntilGone(before)).to.equal(true);
      });

      it('reports a crash of an idle worker on its next invocation as Runtime.ExitError, then recovers', async () => {
        const { pid } = payloadOf(await runtime.invoke('Other', { action: 'throw-later', delayMs: 50 })) as { pid: number };
        const live = runtime.stats().workers.live;
        expect(await waitUntilGone(pid)).to.equal(true); // died while idle, after answering
        while (runtime.stats().workers.live >= live) await new Promise((r) => setTimeout(r, 20)); // and the runner noticed
        const failed = await runtime.invoke('Other', { action: 'echo' });
        expect(errorOf(failed)).to.deep.equal({
          errorType: 'Runtime.ExitError',
          errorMessage: `RequestId: ${failed.requestId} Error: Runtime exited with error: exit status 1`,
        });
        expect(logs.some((l) => l.requestId === failed.requestId && l.stream === 'runtime' && l.text.includes('crashed after its last invocation returned'))).to.equal(true);
        const after = await runtime.invoke('Other', { action: 'echo' });
        expect(after.coldStart).to.equal(true);
        expect(payloadOf(after).pid).to.not.equal(pid);
      });

      it('reports heap exhaustion as Runtime.OutOfMemory and recovers', async () => {
        const error = errorOf(await runtime.invoke('Small', { action: 'oom' }));
        expect(error.errorType).to.equal('Runtime.OutOfMemory');
        expect(error.errorMessage).to.match(/Runtime exited with error: signal: aborted$/);
        expect(payloadOf(await runtime.invoke('Small', { action: 'echo', value: 'fine' })).value).to.equal('fine');
      });

      // The runner samples memory from outside the worker, whatever it runs.
      if (code === 'bundle') {
        it('kills a function whose processes hold more than its memory outside the heap: Runtime.OutOfMemory', async () => {
          const within = payloadOf(await runtime.invoke('Mid', { action: 'hold-buffers', mb: 160 })) as { rssMb: number };
          expect(within.rssMb).to.be.above(160); // the buffers were really resident
          const outcome = await runtime.invoke('Mid', { action: 'hold-buffers', mb: 900 });
          const error = errorOf(outcome);
          expect(error.errorType).to.equal('Runtime.OutOfMemory');
          expect(error.errorMessage).to.match(/signal: killed$/);
          expect(logs.some((l) => l.requestId === outcome.requestId && l.stream === 'runtime' && /over its 512 MB/.test(l.text))).to.equal(true);
          expect(payloadOf(await runtime.invoke('Mid', { action: 'echo', value: 'fine' }))).to.include({ value: 'fine' });
        });
      }

      it('reports a module without handler and a missing module as init errors', async () => {
        const noHandler = errorOf(await runtime.invoke('NoHandler', {}));
        expect(noHandler).to.deep.equal({
          errorType: 'Runtime.HandlerNotFound',
          errorMessage: `${code === 'bundle' ? 'index' : 'test/fixtures/functions/no-handler.ts'}.handler is undefined or not exported`,
        });
        const started = runtime.stats().workers.started;
        const missing = errorOf(await runtime.invoke('Missing', {}));
        expect(missing.errorType).to.equal('Runtime.ImportModuleError');
        if (code === 'bundle') {
          // A module that does not bundle is refused before any worker starts, naming the function.
          expect(missing.errorMessage).to.contain('cannot load the code of Missing');
          expect(runtime.stats().workers.started).to.equal(started);
        }
      });
    });

    codeIndependent('timeouts', () => {
      it('kills the worker and its grandchild at the scaled timeout and reports Sandbox.Timedout', async () => {
        const workerPid = payloadOf(await runtime.invoke('Slow', { action: 'echo' })).pid as number;
        const pidFile = path.join(scratch, 'grandchild.pid');
        const outcome = await runtime.invoke('Slow', { action: 'spawn-and-hang', pidFile });
        expect(errorOf(outcome)).to.deep.equal({
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${outcome.requestId} Error: Task timed out after 100.00 seconds`,
        });
        const grandchild = Number(readFileSync(pidFile, 'utf8'));
        expect(grandchild).to.be.greaterThan(0);
        expect(await waitUntilGone(grandchild)).to.equal(true);
        expect(await waitUntilGone(workerPid)).to.equal(true);
        const note = logs.find((l) => l.requestId === outcome.requestId && l.stream === 'runtime');
        expect(note?.text).to.contain('configured 100 s × time scale 0.01');
        // The pool recovers with a fresh worker.
        const next = await runtime.invoke('Slow', { action: 'echo', value: 'again' });
        expect(next.coldStart).to.equal(true);
        expect(payloadOf(next).value).to.equal('again');
      });

      it('gives a remaining time that decreases and never exceeds the scaled timeout', async () => {
        const slow = payloadOf(await runtime.invoke('Slow', { action: 'remaining', sleepMs: 50 }));
        expect(slow.first).to.be.within(1, 100_000 * timeScale);
        expect(slow.second).to.be.lessThan(slow.first as number);
        const probe = payloadOf(await runtime.invoke('Probe', { action: 'remaining', sleepMs: 20 }));
        expect(probe.first).to.be.within(1, 6_000_000 * timeScale);
        expect(probe.second).to.be.lessThan(probe.first as number);
      });
    });

    codeIndependent('payload limits', () => {
      it('accepts a request of exactly 6 MiB and refuses one byte more without running anything', async () => {
        const event = { action: 'echo', value: '' };
        const overhead = JSON.stringify(event).length;
        event.value = 'x'.repeat(MAX_REQUEST_BYTES - overhead);
        const ok = await runtime.invoke('Probe', event);
        expect((payloadOf(ok).value as string).length).to.equal(event.value.length);

        const started = runtime.stats().workers.started;
        const invocationsBefore = runtime.stats().invocations;
        event.value += 'x';
        const error = errorOf(await runtime.invoke('Probe', event));
        expect(error.errorType).to.equal('RequestEntityTooLargeException');
        expect(error.errorMessage).to.contain('Request must be smaller than 6291456 bytes for the InvokeFunction operation');
        expect(runtime.stats().workers.started).to.equal(started);
        expect(runtime.stats().invocations).to.equal(invocationsBefore + 1);
      });

      it('returns a response of exactly the limit and refuses one byte more', async () => {
        const ok = payloadOf(await runtime.invoke('Probe', { action: 'respond-bytes', bytes: MAX_RESPONSE_BYTES }));
        expect((ok as unknown as string).length).to.equal(MAX_RESPONSE_BYTES - 2);
        const error = errorOf(await runtime.invoke('Probe', { action: 'respond-bytes', bytes: MAX_RESPONSE_BYTES + 1 }));
        expect(error).to.deep.equal({
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
        });
      });
    });

    codeIndependent('logs', () => {
      it('captures every output line, an unterminated last one included, under the request id', async () => {
        const outcome = await runtime.invoke('Probe', { action: 'log', lines: ['first', 'second'], partial: 'no newline' });
        const mine = logs.filter((l) => l.requestId === outcome.requestId);
        expect(mine).to.deep.equal([
          { functionName: 'Probe', requestId: outcome.requestId, stream: 'stdout', text: 'first' },
          { functionName: 'Probe', requestId: outcome.requestId, stream: 'stdout', text: 'second' },
          { functionName: 'Probe', requestId: outcome.requestId, stream: 'stderr', text: 'no newline' },
        ]);
        expect(formatLogLine(mine[0]!)).to.equal(`[Probe ${outcome.requestId}] first`);
      });
    });

    codeIndependent('abort', () => {
      it('kills the running worker and resolves with Aborted', async () => {
        const pid = payloadOf(await runtime.invoke('Other', { action: 'echo' })).pid as number;
        const controller = new AbortController();
        const running = runtime.invoke('Other', { action: 'hang' }, { signal: controller.signal });
        setTimeout(() => controller.abort(), 100);
        const error = errorOf(await running);
        expect(error.errorType).to.equal('Aborted');
        expect(await waitUntilGone(pid)).to.equal(true);
      });

      it('resolves at once with Aborted when the signal is already aborted', async () => {
        const started = runtime.stats().workers.started;
        const error = errorOf(await runtime.invoke('Probe', { action: 'echo' }, { signal: AbortSignal.abort() }));
        expect(error.errorType).to.equal('Aborted');
        expect(runtime.stats().workers.started).to.equal(started);
      });
    });

    codeIndependent('close', () => {
      it('kills every worker and removes its own temp dir', async () => {
        const own = createLambdaRuntime({ functions: [fixtureFunction('Probe')], env: {}, onLog: () => {} });
        const p = payloadOf(await own.invoke('Probe', { action: 'context' }));
        const pid = payloadOf(await own.invoke('Probe', { action: 'echo' })).pid as number;
        const ownRoot = path.dirname(p.tmpdir as string);
        expect(existsSync(ownRoot)).to.equal(true);
        await own.close();
        expect(isGone(pid) || (await waitUntilGone(pid))).to.equal(true);
        expect(existsSync(ownRoot)).to.equal(false);
        let thrown: unknown;
        await own.invoke('Probe', {}).catch((err: unknown) => (thrown = err));
        expect(String(thrown)).to.contain('closed');
      });
    });
  });
}
