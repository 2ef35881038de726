// Per-function figures of one local run (invocations, failures, time) and the invocation that came
// closest to its function's timeout: what tells a person whether a task is at risk of Lambda's limit.
import type { FunctionSpec } from '../../handlers/catalog-types';
import type { InvocationRecord } from '../stack';

export interface FunctionFigures {
  invocations: number;
  failures: number;
  totalMs: number;
  longestMs: number;
  timeoutMs: number;
}

export interface LongestTask {
  functionName: string;
  durationMs: number;
  timeoutMs: number;
}

export function addInvocation(byFunction: Record<string, FunctionFigures>, record: InvocationRecord, functions: readonly FunctionSpec[]): void {
  const spec = functions.find((f) => f.name === record.functionName);
  const figures = (byFunction[record.functionName] ??= {
    invocations: 0,
    failures: 0,
    totalMs: 0,
    longestMs: 0,
    timeoutMs: (spec?.timeoutSeconds ?? 0) * 1000,
  });
  figures.invocations += 1;
  if (!record.outcome.ok) figures.failures += 1;
  figures.totalMs += record.outcome.durationMs;
  figures.longestMs = Math.max(figures.longestMs, record.outcome.durationMs);
}

export function longestAgainstTimeout(byFunction: Record<string, FunctionFigures>): LongestTask | undefined {
  let best: LongestTask | undefined;
  for (const [functionName, f] of Object.entries(byFunction)) {
    if (!f.timeoutMs) continue;
    if (!best || f.longestMs / f.timeoutMs > best.durationMs / best.timeoutMs) {
      best = { functionName, durationMs: f.longestMs, timeoutMs: f.timeoutMs };
    }
  }
  return best;
}
