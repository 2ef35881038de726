// The two slots an invocation needs before it runs: one of its function's (Lambda's reserved
// concurrency) and one of the whole runtime's. Excess invocations wait rather than fail: Step Functions
// would retry Lambda's throttling error (TooManyRequestsException) with backoff anyway, and a laptop
// has few cores.
import type { FunctionSpec } from '../../handlers/catalog-types';
import { createConcurrencyLimiter, type ConcurrencyLimiter } from './concurrency-limiter';

export interface SlotStats {
  running: number;
  queued: number;
  /** Most invocations ever running at once, overall and per function. */
  peakConcurrency: number;
  peakConcurrencyByFunction: Record<string, number>;
}

export interface InvocationSlots {
  /** Resolves with the release of both slots once held, or undefined if `signal` aborted first (none then held). */
  acquire(functionName: string, signal: AbortSignal): Promise<(() => void) | undefined>;
  stats(): SlotStats;
}

export function createInvocationSlots(
  functions: readonly FunctionSpec[],
  maxConcurrency: number,
  maxConcurrencyPerFunction: number | Record<string, number> | undefined,
): InvocationSlots {
  const overall = createConcurrencyLimiter(maxConcurrency);
  const perFunction = new Map<string, ConcurrencyLimiter>();
  for (const spec of functions) {
    const per = maxConcurrencyPerFunction;
    // The catalog's reserved concurrency caps a function as Lambda's does, unless the caller sets its own.
    const cap = typeof per === 'number' ? per : (per?.[spec.name] ?? spec.reservedConcurrency ?? maxConcurrency);
    perFunction.set(spec.name, createConcurrencyLimiter(cap));
  }
  // Counted only once both slots are held, so queued invocations never inflate a function's peak.
  const running = new Map<string, { now: number; peak: number }>(functions.map((f) => [f.name, { now: 0, peak: 0 }]));

  return {
    async acquire(functionName, signal) {
      const fnLimiter = perFunction.get(functionName)!;
      if (!(await fnLimiter.acquire(signal))) return undefined;
      if (!(await overall.acquire(signal))) {
        fnLimiter.release();
        return undefined;
      }
      const mine = running.get(functionName)!;
      mine.now += 1;
      mine.peak = Math.max(mine.peak, mine.now);
      return () => {
        mine.now -= 1;
        overall.release();
        fnLimiter.release();
      };
    },
    stats() {
      const peakConcurrencyByFunction: Record<string, number> = {};
      let queued = overall.queued;
      for (const limiter of perFunction.values()) queued += limiter.queued;
      for (const [name, count] of running) peakConcurrencyByFunction[name] = count.peak;
      return { running: overall.active, queued, peakConcurrency: overall.peak, peakConcurrencyByFunction };
    },
  };
}
