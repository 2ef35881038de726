// What ends a phase (init or invocation) from outside the worker: its deadline and the caller's abort.
// Either one kills the worker; the phase learns which one did when the worker's close arrives, since
// only then is nothing more coming from it.

export interface Watchdog {
  /** The deadline passed and the worker was killed. */
  readonly timedOut: boolean;
  /** The caller aborted and the worker was killed. */
  readonly aborted: boolean;
  /** Only the deadline stops: once the worker has replied, running late is no longer possible. */
  clearDeadline(): void;
  stop(): void;
}

/** `ignoreAbort` is asked when the abort comes: true leaves the worker alone (its reply is already in). */
export function startWatchdog(
  kill: () => void,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  ignoreAbort: () => boolean = () => false,
): Watchdog {
  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, timeoutMs);
  const onAbort = (): void => {
    if (ignoreAbort()) return;
    aborted = true;
    kill();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    get timedOut() {
      return timedOut;
    },
    get aborted() {
      return aborted;
    },
    clearDeadline: () => clearTimeout(timer),
    stop() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
