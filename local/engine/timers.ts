// Time, scaled: Wait states, retry intervals and timeouts are multiplied by the engine's time scale
// so tests can run a "30 seconds" back-off in 30 ms.
import { setMaxListeners } from 'node:events';
import { abortError } from './errors';

/** The longest delay setTimeout honours; Node fires anything longer after 1 ms. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}
const nodeTimers: TimerApi = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/**
 * Calls `fn` after `ms`, however long: a 30-day Wait or TimeoutSeconds at time scale 1 is chained through
 * delays of at most `maxDelayMs`. Returns the function that cancels it.
 */
export function setLongTimeout(fn: () => void, ms: number, maxDelayMs = MAX_TIMER_DELAY_MS, timers: TimerApi = nodeTimers): () => void {
  let timer: unknown;
  const arm = (remaining: number) => {
    timer = remaining > maxDelayMs ? timers.setTimeout(() => arm(remaining - maxDelayMs), maxDelayMs) : timers.setTimeout(fn, remaining);
  };
  arm(ms);
  return () => timers.clearTimeout(timer);
}

/** Resolves after `ms`, or rejects with an abort error as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(abortError(signal));
    };
    const cancel = setLongTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function scaledMs(seconds: number, timeScale: number): number {
  return Math.max(0, seconds * 1000 * timeScale);
}

/**
 * An AbortController that also aborts when `parent` does. Returns a detach function to avoid leaks.
 * @param fanOut its signal is shared by the branches or iterations of a Parallel or Map (see newController).
 */
export function childController(parent: AbortSignal, fanOut = false): { controller: AbortController; detach: () => void } {
  const controller = newController(fanOut);
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, detach: () => {} };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, detach: () => parent.removeEventListener('abort', onAbort) };
}

/**
 * A new controller. One whose signal a Parallel's branches or a Map's iterations share may have a listener per
 * branch or iteration, more than Node's default ten, which would warn: `fanOut` lifts the limit. Only then: a
 * signal given setMaxListeners outlives young-generation collections (it is held until a full GC), which costs
 * dear at one controller per execution when a Distributed Map starts 100,000 of them.
 */
export function newController(fanOut = false): AbortController {
  const controller = new AbortController();
  if (fanOut) setMaxListeners(0, controller.signal);
  return controller;
}

/** Lets timers and I/O run: a loop of synchronous states must not starve its siblings, stop() or timeouts. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
