// What `longhaul watch` shows, as pure functions of a snapshot: a frame of lines sized to the terminal
// (redrawn in place), or the stable lines a log gets (printed once each, so only changes appear).
import { TIMEOUT_WARNING_SHARE } from '../../infra/timeout-warning';

/** Everything one look at an execution found; `at` is when, so elapsed times are measured to it. */
export interface WatchSnapshot {
  /** Epoch ms. */
  at: number;
  execution: ExecutionView;
  /** The job's progress-table record, when the execution's input names a job that has one. */
  job?: JobProgress;
  /** The top-level states entered, in order. */
  steps: StepView[];
  /** Task attempts started and not ended. */
  running: RunningTask[];
  /** Task attempts that were retries (attempt 2 and later), ended or not. */
  retries: number;
  /** Failed task attempts, oldest first (retried or not). */
  errors: FailedAttempt[];
}

export interface ExecutionView {
  arn: string;
  name: string;
  stateMachine: string;
  /** As DescribeExecution says: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE. */
  status: string;
  startedAt: number;
  stoppedAt?: number;
  error?: string;
  cause?: string;
}

export interface JobProgress {
  jobId: string;
  status: string;
  step: string;
  doneUnits: number;
  totalUnits: number;
  figures: Record<string, number>;
}

export type StepStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface StepView {
  name: string;
  status: StepStatus;
  startedAt: number;
  endedAt?: number;
  /** A Map state's items (a Distributed Map's from its Map Run). */
  items?: ItemCounts;
}

export interface ItemCounts {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
}

export interface TaskWhere {
  /** The Task state. */
  state: string;
  /** The Lambda function it invokes, when it invokes one. */
  functionName?: string;
  /** The Map item it runs for, when inside a Map. */
  item?: number;
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: number;
}

export interface RunningTask extends TaskWhere {
  startedAt: number;
  /** The function's configured timeout (Lambda GetFunction `Timeout`), when known. */
  timeoutSeconds?: number;
}

export interface FailedAttempt extends TaskWhere {
  error: string;
  cause?: string;
}


const MAX_RUNNING_SHOWN = 8;
const MAX_ERRORS_SHOWN = 5;

/** `4.2s`, `1m02s`, `2h05m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

/** A bar `width` cells wide, filled to `share` (clamped to 0..1). */
export function progressBar(share: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** Cuts a line to `width` terminal cells (one per code point: the frame uses no wide characters). */
export function fitWidth(line: string, width: number): string {
  const chars = [...line];
  if (chars.length <= width) return line;
  return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
}

/** Error and cause on one line: causes are often multi-line JSON or stack traces. */
function errorText(error: string, cause: string | undefined): string {
  const oneLine = (cause ?? '').replace(/\s+/g, ' ').trim();
  return oneLine ? `${error}: ${oneLine}` : error;
}

/** `TranscodeChunk[7] retry 1`: the state, the Map item, the attempt (the function is named apart). */
function where(t: TaskWhere): string {
  const item = t.item === undefined ? '' : `[${t.item}]`;
  return `${t.state}${item} ${t.attempt > 1 ? `retry ${t.attempt - 1}` : 'attempt 1'}`;
}

function itemsText(items: ItemCounts): string {
  const extra = [items.running ? `${items.running} running` : '', items.failed ? `${items.failed} failed` : ''].filter(Boolean);
  return `${items.succeeded}/${items.total} items${extra.length ? `, ${extra.join(', ')}` : ''}`;
}

function figuresText(figures: Record<string, number>): string {
  return Object.entries(figures)
    .map(([name, value]) => `${name} ${value.toLocaleString('en-US')}`)
    .join(', ');
}

const STEP_MARK: Record<StepStatus, string> = { RUNNING: '▸', SUCCEEDED: '✓', FAILED: '✗' };

function barWidth(width: number): number {
  return Math.max(10, Math.min(30, Math.floor(width / 4)));
}

function executionElapsed(s: WatchSnapshot): number {
  return (s.execution.stoppedAt ?? s.at) - s.execution.startedAt;
}

/** The terminal view: at most one line per entry, each cut to `width`. */
export function renderFrame(s: WatchSnapshot, width: number): string[] {
  const bar = barWidth(width);
  const lines: string[] = [];
  const { execution: e } = s;
  lines.push(`${e.name} (${e.stateMachine})  ${e.status}  ${formatDuration(executionElapsed(s))}`);
  if (s.job) {
    const j = s.job;
    const share = j.totalUnits > 0 ? j.doneUnits / j.totalUnits : j.status === 'SUCCEEDED' ? 1 : 0;
    const figures = figuresText(j.figures);
    lines.push(`job ${j.jobId}  ${j.step}  ${progressBar(share, bar)} ${j.doneUnits}/${j.totalUnits || '?'} units${figures ? `  ${figures}` : ''}`);
  }
  const nameWidth = Math.max(0, ...s.steps.map((step) => step.name.length));
  for (const step of s.steps) {
    const took = formatDuration((step.endedAt ?? s.at) - step.startedAt);
    const items = step.items ? `${progressBar(step.items.total ? step.items.succeeded / step.items.total : 0, bar)} ${itemsText(step.items)}  ` : '';
    lines.push(`  ${STEP_MARK[step.status]} ${step.name.padEnd(nameWidth)}  ${items}${took}`);
  }
  if (s.running.length > 0) {
    lines.push(`running tasks: ${s.running.length}`);
    // The ones nearest their timeout first: they are what the view is for.
    const ordered = [...s.running].sort((a, b) => timeoutShare(b, s.at) - timeoutShare(a, s.at) || a.startedAt - b.startedAt || (a.item ?? 0) - (b.item ?? 0));
    for (const t of ordered.slice(0, MAX_RUNNING_SHOWN)) lines.push(` ${runningText(t, s.at, bar)}`);
    if (ordered.length > MAX_RUNNING_SHOWN) lines.push(`  … and ${ordered.length - MAX_RUNNING_SHOWN} more`);
  }
  if (s.retries > 0) lines.push(`retries: ${s.retries}`);
  if (s.errors.length > 0) {
    lines.push(`errors: ${s.errors.length}`);
    if (s.errors.length > MAX_ERRORS_SHOWN) lines.push(`  … ${s.errors.length - MAX_ERRORS_SHOWN} earlier`);
    for (const f of s.errors.slice(-MAX_ERRORS_SHOWN)) lines.push(`  ${where(f)}: ${errorText(f.error, f.cause)}`);
  }
  if (e.status !== 'RUNNING' && e.error) lines.push(`${e.status}: ${errorText(e.error, e.cause)}`);
  return lines.map((line) => fitWidth(line, width));
}

/** Elapsed share of the task's timeout; -1 when the timeout is unknown (sorted last). */
function timeoutShare(t: RunningTask, at: number): number {
  return t.timeoutSeconds ? (at - t.startedAt) / (t.timeoutSeconds * 1000) : -1;
}

// The clock first and the names last, so a narrow terminal cuts the names, not the figures.
function runningText(t: RunningTask, at: number, bar: number): string {
  const elapsed = at - t.startedAt;
  const head = `${where(t)}${t.functionName ? `  ${t.functionName}` : ''}`;
  if (!t.timeoutSeconds) return `  ${formatDuration(elapsed)}  ${head}`;
  const share = timeoutShare(t, at);
  const mark = share >= TIMEOUT_WARNING_SHARE ? '!' : ' ';
  return `${mark} ${progressBar(share, bar)} ${formatDuration(elapsed)} / ${formatDuration(t.timeoutSeconds * 1000)} ${Math.floor(share * 100)}%  ${head}`;
}

/**
 * The view as lines that stay the same while nothing changes (no clock in them): a log gets each line
 * once, so what it shows is the changes. A task's timeout warning is a line of its own, printed once.
 */
export function plainLines(s: WatchSnapshot): string[] {
  const lines: string[] = [];
  const { execution: e } = s;
  lines.push(`execution ${e.name} (${e.stateMachine}) started ${new Date(e.startedAt).toISOString()}`);
  const visits = new Map<string, number>();
  for (const step of s.steps) {
    const visit = (visits.get(step.name) ?? 0) + 1;
    visits.set(step.name, visit);
    const name = visit > 1 ? `${step.name} (visit ${visit})` : step.name;
    lines.push(`step ${name} started`);
    if (step.items) lines.push(`step ${name}: ${itemsText(step.items)}`);
    if (step.endedAt !== undefined) lines.push(`step ${name} ${step.status === 'FAILED' ? 'failed after' : 'succeeded in'} ${formatDuration(step.endedAt - step.startedAt)}`);
  }
  if (s.job) lines.push(`job ${s.job.jobId}: ${s.job.step}, ${s.job.doneUnits}/${s.job.totalUnits || '?'} units`);
  for (const t of s.running) {
    const timeout = t.timeoutSeconds ? `, timeout ${formatDuration(t.timeoutSeconds * 1000)}` : '';
    lines.push(`task ${where(t)} started${t.functionName ? `: ${t.functionName}` : ''}${timeout}`);
    if (timeoutShare(t, s.at) >= TIMEOUT_WARNING_SHARE) lines.push(`task ${where(t)} passed ${TIMEOUT_WARNING_SHARE * 100}% of its timeout`);
  }
  for (const f of s.errors) lines.push(`task ${where(f)} failed: ${errorText(f.error, f.cause)}`);
  if (e.status !== 'RUNNING') {
    const figures = s.job ? figuresText(s.job.figures) : '';
    if (figures) lines.push(`job ${s.job!.jobId}: ${figures}`);
    lines.push(`execution ${e.status} after ${formatDuration(executionElapsed(s))}${e.error ? `: ${errorText(e.error, e.cause)}` : ''}`);
  }
  return lines;
}

/** The lines of `next` not printed yet (`printed` is updated): what a log appends for this look. */
export function newPlainLines(printed: Set<string>, next: readonly string[]): string[] {
  const fresh = next.filter((line) => !printed.has(line));
  for (const line of fresh) printed.add(line);
  return fresh;
}

/**
 * What a terminal is sent to replace the previous frame (`previousLines` tall) by `lines`: cursor up to
 * the frame's first line, clear to the end of the screen, the new frame. Lines are already cut to the
 * width, so none wraps and the count stays true.
 */
export function redraw(previousLines: number, lines: readonly string[]): string {
  const up = previousLines > 0 ? `\x1b[${previousLines}A\r` : '';
  return `${up}\x1b[J${lines.map((line) => `${line}\n`).join('')}`;
}
