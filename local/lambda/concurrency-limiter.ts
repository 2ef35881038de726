// A FIFO counting semaphore that remembers its peak, so tests can prove a concurrency cap held.

export interface ConcurrencyLimiter {
  /** Resolves true once a slot is held, false if `signal` aborted first (no slot is then held). */
  acquire(signal?: AbortSignal): Promise<boolean>;
  release(): void;
  readonly active: number;
  readonly queued: number;
  readonly peak: number;
}

export function createConcurrencyLimiter(max: number): ConcurrencyLimiter {
  if (!Number.isInteger(max) || max < 1) throw new Error(`concurrency limit must be a positive integer, got ${max}`);
  let active = 0;
  let peak = 0;
  const waiting: { grant(): void }[] = [];

  const take = (): void => {
    active += 1;
    peak = Math.max(peak, active);
  };

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.resolve(false);
      if (active < max && waiting.length === 0) {
        take();
        return Promise.resolve(true);
      }
      return new Promise<boolean>((resolve) => {
        const onAbort = (): void => {
          const at = waiting.indexOf(entry);
          if (at >= 0) waiting.splice(at, 1);
          resolve(false);
        };
        const entry = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            take();
            resolve(true);
          },
        };
        waiting.push(entry);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    release() {
      if (active === 0) throw new Error('release without acquire');
      active -= 1;
      waiting.shift()?.grant();
    },
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
    get peak() {
      return peak;
    },
  };
}
