// The summary `longhaul run` prints when a job ends: status, what the job made, how close each task came
// to its timeout, the pipeline's own checks, and for a failure the error in a line or two.
import { describeFailure } from '../run/failure';
import type { JobSummary } from '../run/job-runner';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const line = (label: string, value: string) => `${label.padEnd(14)}${value}`;

export function formatSummary(s: JobSummary, opts: { verbose?: boolean } = {}): string {
  const lines = [line('status', s.result.status), line('job', s.jobId)];
  if (s.result.status !== 'SUCCEEDED') {
    const failure = describeFailure(s.result.error, s.result.cause);
    // The job's record holds the error RecordFailure resolved (a Map's failure to its failed task's own
    // error, a continued execution's to the child's: handlers/shared/failure-cause.ts); else the execution's.
    const shown = s.jobFailure ? describeFailure(s.jobFailure.error, s.jobFailure.cause) : failure;
    lines.push(line('error', `${shown.error}: ${shown.message}`));
    if (opts.verbose) lines.push(...failure.trace.map((t) => `  ${t}`));
  }
  for (const [label, value] of s.report?.facts ?? []) lines.push(line(label, value));
  lines.push(line('total time', seconds(s.wallMs)));
  if (s.longest) {
    const share = ((100 * s.longest.durationMs) / s.longest.timeoutMs).toFixed(1);
    lines.push(line('longest task', `${s.longest.functionName} ${seconds(s.longest.durationMs)} = ${share}% of its ${s.longest.timeoutMs / 1000} s timeout`));
  }
  for (const [name, f] of Object.entries(s.byFunction)) {
    lines.push(`  ${name.padEnd(20)} ${String(f.invocations).padStart(4)} runs, ${f.failures} failed, longest ${seconds(f.longestMs)}`);
  }
  lines.push(...(s.report?.details ?? []));
  if (s.outputPath) lines.push(line('output', s.outputPath));
  return lines.join('\n');
}
