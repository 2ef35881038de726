// The error a job failed with, in the words of the task that failed. A Distributed Map fails as a whole
// with States.ExceedToleratedFailureThreshold, and its item's own error lives only in the child
// execution's history and the function log; the tasks record their failed attempts in the progress
// table (handlers/lib/task.ts), so the job's record can name the real error and the task instead.
import { listTasks, type TaskRecord } from '../lib/progress';

export const MAP_FAILED = 'States.ExceedToleratedFailureThreshold';

export interface JobFailure {
  error: string;
  cause: string;
}

/** A transient failure may have been retried past; another task's error is more likely the cause. */
const rank = (t: TaskRecord) => (t.lastError === 'TransientError' ? 1 : 0);

/**
 * A `states:startExecution.sync` task whose child execution failed fails as States.TaskFailed with the
 * child's description, its Error and Cause included, as Cause (the ML train loop continues in a fresh
 * execution of its own machine): the child's error is the job's.
 */
function childExecutionFailure(failure: JobFailure): JobFailure | undefined {
  if (failure.error !== 'States.TaskFailed' || !failure.cause.startsWith('{')) return undefined;
  try {
    const d = JSON.parse(failure.cause) as Record<string, unknown>;
    const error = d.Error ?? d.error;
    const cause = d.Cause ?? d.cause;
    if (typeof d.ExecutionArn !== 'string' || typeof error !== 'string') return undefined;
    return { error, cause: typeof cause === 'string' ? cause : '' };
  } catch {
    return undefined;
  }
}

/**
 * The failure to record: a Map's threshold error resolved to its failed task's error when one is
 * recorded, a child execution's failure to the child's error.
 */
export async function failureCause(jobId: string, failure: JobFailure): Promise<JobFailure> {
  const child = childExecutionFailure(failure);
  if (child) return failureCause(jobId, child);
  if (failure.error !== MAP_FAILED) return failure;
  const failed = (await listTasks(jobId))
    .filter((t) => t.status === 'FAILED' && t.lastError)
    .sort((a, b) => rank(a) - rank(b) || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
  const first = failed[0];
  if (!first) return failure;
  const others = failed.length > 1 ? ` and ${failed.length - 1} other task(s)` : '';
  return { error: first.lastError!, cause: `${first.lastCause ?? ''} (task ${first.taskId}${others} failed; the Map state failed with ${MAP_FAILED})` };
}
