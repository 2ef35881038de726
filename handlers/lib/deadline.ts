// How long a handler may keep working: Lambda's remaining time less a safety margin, so work stops,
// checkpoints and returns (or fails with a clear error) instead of being killed at the timeout.
import type { LambdaContext } from './lambda-context';

/** The margin at most: enough to write a checkpoint or report after the budget is spent. */
export const MAX_MARGIN_MS = 10_000;
/**
 * Short timeouts get a proportional margin instead (a 5 s function would otherwise have none left):
 * this share of the time remaining when the invocation began.
 */
export const MARGIN_SHARE = 0.2;

export interface Deadline {
  /** The safety margin kept free before Lambda's own deadline. */
  readonly marginMs: number;
  /** Milliseconds of budget left (never negative). */
  remainingMs(): number;
  /** True once the budget is spent: stop, checkpoint, return. */
  passed(): boolean;
  /**
   * Runs `work` with a signal that aborts when the budget is spent (for child processes such as
   * ffmpeg); `aborted()` tells afterwards whether it did.
   */
  withSignal<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Whether a signal from withSignal fired. */
  aborted(): boolean;
}

/** The margin for an invocation that began with `remainingAtStartMs` left. */
export function marginFor(remainingAtStartMs: number): number {
  return Math.min(MAX_MARGIN_MS, Math.max(0, remainingAtStartMs) * MARGIN_SHARE);
}

export function deadlineOf(context: Pick<LambdaContext, 'getRemainingTimeInMillis'>, marginMs?: number): Deadline {
  const margin = marginMs ?? marginFor(context.getRemainingTimeInMillis());
  const remainingMs = () => Math.max(0, context.getRemainingTimeInMillis() - margin);
  let fired = false;
  return {
    marginMs: margin,
    remainingMs,
    passed: () => remainingMs() <= 0,
    aborted: () => fired,
    async withSignal(work) {
      const controller = new AbortController();
      const timer = setTimeout(() => {
        fired = true;
        controller.abort();
      }, remainingMs());
      try {
        return await work(controller.signal);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
