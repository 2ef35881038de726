// The stack's cap on a job's `maxConcurrency`, so one job cannot take the account's whole Lambda
// concurrency (1,000 by default, as low as 10 in a new account) and throttle every other job and function.
// One setting, LONGHAUL_MAX_CONCURRENCY: read by infra at synth time and set on every function, and passed
// by the local runtime to its workers, so the planning tasks apply the same cap in AWS and locally.

/** The variable in the deploy environment and in every function's environment. */
export const CONCURRENCY_CAP_ENV = 'LONGHAUL_MAX_CONCURRENCY';
export const DEFAULT_CONCURRENCY_CAP = 50;
/** A Distributed Map runs at most 10,000 child executions at once: a higher cap would mean nothing. */
export const MAX_CONCURRENCY_CAP = 10_000;

/** The cap from the variable's text; absent or empty gives the default. Throws naming the variable. */
export function parseConcurrencyCap(raw: string | undefined): number {
  const text = raw?.trim();
  if (text === undefined || text === '') return DEFAULT_CONCURRENCY_CAP;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= MAX_CONCURRENCY_CAP)) {
    throw new Error(`${CONCURRENCY_CAP_ENV}="${text}" must be a whole number from 1 to ${MAX_CONCURRENCY_CAP}`);
  }
  return value;
}

/** Read at call time, not import time, so tests and the local runtime can set the environment first. */
export function readConcurrencyCap(env: NodeJS.ProcessEnv = process.env): number {
  return parseConcurrencyCap(env[CONCURRENCY_CAP_ENV]);
}

/**
 * The job with `maxConcurrency` lowered to the cap. Clamped, not refused: `maxConcurrency` is an upper
 * bound on items run at once (Step Functions' MaxConcurrency promises no more), so running fewer keeps
 * the job's meaning; a refusal would fail every job left at a default above a low cap. The plan is made
 * for the effective value (video sizes its chunks for it) and the planning task's output shows it.
 */
export function capConcurrency<J extends { maxConcurrency: number }>(
  job: J,
  warn: (message: string, details: Record<string, number>) => void,
  env: NodeJS.ProcessEnv = process.env,
): J {
  const cap = readConcurrencyCap(env);
  if (job.maxConcurrency <= cap) return job;
  warn(`maxConcurrency lowered to this stack's cap (${CONCURRENCY_CAP_ENV})`, { requested: job.maxConcurrency, cap });
  return { ...job, maxConcurrency: cap };
}
