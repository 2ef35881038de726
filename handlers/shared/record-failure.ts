// Lambda: every state machine's Catch target, shared by all pipelines. Marks the job FAILED with the
// Error and Cause that ended it (a Map's threshold error resolved to its failed task's own error:
// failure-cause.ts), so `longhaul` and dashboards show why without digging through execution history.
// It must not fail itself on a bad job input (the very thing that may have failed the job), so
// it takes the whole state and records nothing when there is no valid jobId.
import { z } from 'zod';
import type { LambdaContext } from '../lib/lambda-context';
import { createLogger, withInvocation } from '../lib/logger';
import { withInvocationMetrics, type InvocationEnd } from '../lib/metrics';
import { finishJob } from '../lib/progress';
import { JOB_ID_PATTERN } from '../lib/storage-layout';
import { failureCause } from './failure-cause';

const logger = createLogger('record-failure');

const stateSchema = z.object({
  jobId: z.unknown().optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).partial().optional(),
});

export interface RecordFailureOutput {
  recorded: boolean;
  jobId: string | null;
  error: string;
  cause: string;
}

export const handler = (event: unknown, context: LambdaContext): Promise<RecordFailureOutput> =>
  withInvocationMetrics({ service: 'record-failure', context }, (_metrics, end) => recordFailure(event, context, end));

async function recordFailure(event: unknown, context: LambdaContext, end: InvocationEnd): Promise<RecordFailureOutput> {
  const parsed = stateSchema.safeParse(event);
  const state = parsed.success ? parsed.data : {};
  const error = state.error?.Error ?? 'Unknown';
  const cause = state.error?.Cause ?? '';
  const jobId = typeof state.jobId === 'string' && JOB_ID_PATTERN.test(state.jobId) ? state.jobId : null;
  const log = withInvocation(logger, { jobId: jobId ?? undefined, context });
  if (!jobId) {
    log.warn('job failed without a valid jobId: nothing to record', { error, cause });
    end.outcome = 'skipped';
    return { recorded: false, jobId: null, error, cause };
  }
  end.jobId = jobId;
  // Best effort: the execution's own error is recorded when the task behind it cannot be looked up.
  const recorded = await failureCause(jobId, { error, cause }).catch((err: unknown) => {
    log.warn('could not look up the failed task behind the error', { error: String(err) });
    return { error, cause };
  });
  await finishJob(jobId, { status: 'FAILED', ...recorded });
  log.info('job marked FAILED', { ...recorded, executionError: error });
  end.outcome = 'done';
  return { recorded: true, jobId, ...recorded };
}
