// One partition's transform in a process of its own, as a Lambda worker runs it (bench/etl.ts starts it
// with the worker's environment and heap limit):
//   node --max-old-space-size=N --import tsx bench/etl-transform-child.ts '{"jobId":...,"partition":{...}}'
//   node --import tsx bench/etl-transform-child.ts --idle      (the handler loaded, nothing run: the baseline)
// Calls the EtlTransform handler with the state machine's loop (cursor in, until done) and prints one line,
// `BENCH_RESULT {...}`: handler time, invocations, rows, the process's peak resident memory, and the peaks
// of the JS heap in use and of memory outside it (Buffers), sampled.
// With BENCH_CPU_PROFILE=<file>, a CPU profile of the handler calls alone (not the module loading) is
// written there.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { handler } from '../handlers/etl/transform';

interface Request {
  jobId: string;
  partition: unknown;
  timeoutMs: number;
}

/** Peaks of the JS heap in use and of Buffers/ArrayBuffers outside it, sampled every 50 ms. */
const peaks = { heapUsed: 0, external: 0 };
const sample = () => {
  const m = process.memoryUsage();
  peaks.heapUsed = Math.max(peaks.heapUsed, m.heapUsed);
  peaks.external = Math.max(peaks.external, m.external + m.arrayBuffers);
};
const sampler = setInterval(sample, 50);

/**
 * The process's peak resident memory, in kB: the kernel's high-water mark of this process image (VmHWM).
 * Not process.resourceUsage().maxRSS: on Linux that keeps the high-water mark of the image before exec,
 * i.e. of the parent forked to start this process (a 600 MB parent gives a fresh child a maxRSS of 600 MB).
 */
function peakRssKb(): number {
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!hwm) throw new Error('no VmHWM in /proc/self/status');
  return Number(hwm[1]);
}

function report(figures: Record<string, unknown>): void {
  sample();
  clearInterval(sampler);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ ...figures, maxRssKb: peakRssKb(), peakHeapUsed: peaks.heapUsed, peakExternal: peaks.external })}\n`);
}

if (process.argv[2] === '--idle') {
  report({ ms: 0, invocations: 0, rowsIn: 0 });
} else {
  const request = JSON.parse(process.argv[2] ?? '') as Request;
  let cursor: unknown = null;
  let invocations = 0;
  let rowsIn: number | null = null;
  const profileTo = process.env.BENCH_CPU_PROFILE;
  const session = profileTo ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const started = performance.now();
  for (;;) {
    const invokedAt = Date.now();
    const context = {
      awsRequestId: `bench-${invocations}`,
      functionName: 'EtlTransform',
      getRemainingTimeInMillis: () => Math.max(0, invokedAt + request.timeoutMs - Date.now()),
    };
    const out = (await handler({ jobId: request.jobId, partition: request.partition, cursor }, context)) as { done: boolean; cursor: unknown; rowsIn: number | null };
    invocations += 1;
    if (out.done) {
      rowsIn = out.rowsIn;
      break;
    }
    cursor = out.cursor;
  }
  const ms = performance.now() - started;
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileTo!, JSON.stringify(profile));
    session.disconnect();
  }
  report({ ms, invocations, rowsIn });
}
