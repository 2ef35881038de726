// Retry: which retrier applies to an error, and how long to wait before the next attempt.
import { errorMatches } from './error-matching';
import type { Retrier } from './types';

export const RETRY_DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 } as const;

/** Index of the first retrier whose ErrorEquals matches, or -1. Later retriers are never consulted. */
export function findRetrier(retriers: readonly Retrier[] | undefined, error: string): number {
  if (!retriers) return -1;
  return retriers.findIndex((r) => errorMatches(r.ErrorEquals, error));
}

/**
 * Seconds to wait before retry number `attempt` (0-based) under `retrier`, or undefined when its
 * MaxAttempts are used up. `random` is injectable so jitter can be tested.
 */
export function retryDelaySeconds(retrier: Retrier, attempt: number, random: () => number = Math.random): number | undefined {
  const maxAttempts = retrier.MaxAttempts ?? RETRY_DEFAULTS.MaxAttempts;
  if (attempt >= maxAttempts) return undefined;
  const interval = retrier.IntervalSeconds ?? RETRY_DEFAULTS.IntervalSeconds;
  const rate = retrier.BackoffRate ?? RETRY_DEFAULTS.BackoffRate;
  let delay = interval * rate ** attempt;
  if (retrier.MaxDelaySeconds !== undefined) delay = Math.min(delay, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') delay = random() * delay;
  return delay;
}

/** A state's retriers while it runs: each counts its own attempts, so its MaxAttempts covers only its errors. */
export interface RetryCounter {
  /** Seconds to wait before retrying after `error`, counted against its retrier; undefined: do not retry. */
  nextDelay(error: string): number | undefined;
}

export function retryCounter(retriers: readonly Retrier[] = []): RetryCounter {
  const attempts = retriers.map(() => 0);
  return {
    nextDelay(error) {
      const index = findRetrier(retriers, error);
      if (index < 0) return undefined;
      const delay = retryDelaySeconds(retriers[index], attempts[index]);
      if (delay !== undefined) attempts[index]++;
      return delay;
    },
  };
}
