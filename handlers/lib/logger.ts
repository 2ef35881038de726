// Structured JSON logs (Powertools Logger), one line per entry on stdout, with the job id and
// Lambda request id on every line so CloudWatch Logs Insights can follow one job or one invocation.
import { Logger } from '@aws-lambda-powertools/logger';

export type { Logger };

/** The part of Lambda's context the logger uses (the local runtime provides the same). */
export interface InvocationContext {
  awsRequestId: string;
  functionName?: string;
}

/** One logger per handler module; level from POWERTOOLS_LOG_LEVEL (default INFO). */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/**
 * A child logger for one invocation, carrying `jobId` and `requestId`. A child, not appendKeys
 * on the module logger, so keys from a previous invocation in a warm worker never leak.
 */
export function withInvocation(logger: Logger, inv: { jobId?: string; context?: InvocationContext }): Logger {
  const child = logger.createChild();
  const keys: Record<string, string> = {};
  if (inv.jobId !== undefined) keys.jobId = inv.jobId;
  if (inv.context?.awsRequestId !== undefined) keys.requestId = inv.context.awsRequestId;
  if (inv.context?.functionName !== undefined) keys.functionName = inv.context.functionName;
  child.appendKeys(keys);
  return child;
}
