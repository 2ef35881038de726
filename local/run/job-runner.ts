// Runs one job of any pipeline locally, end to end, as a user would in AWS: upload the inputs, start an
// execution of the pipeline's ASL file, watch the progress table, download the results and summarize.
// `longhaul run <pipeline>`, the end-to-end tests and the benchmarks all go through here.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectFunctions } from '../../handlers/catalog';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { getJob, type JobRecord } from '../../handlers/lib/progress';
import { downloadToFile, head, uploadFile } from '../../handlers/lib/s3';
import type { Pipeline, PipelineSummary } from '../../handlers/pipeline';
import { loadDefinition, type Execution, type ExecutionResult } from '../engine';
import type { LogLine } from '../lambda/types';
import { applyEnv } from '../process-env';
import { startLocalStack, type InvocationRecord, type LocalStack } from '../stack';
import { prepareJob, type JobRequest, type PreparedJob, type PreparedUpload } from './execution-input';
import { addInvocation, longestAgainstTimeout, type FunctionFigures, type LongestTask } from './task-figures';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

export type JobEvent =
  | { kind: 'uploaded'; jobId: string; key: string; bytes: number; skipped: boolean }
  | { kind: 'started'; jobId: string; executionArn: string }
  | { kind: 'progress'; job: JobRecord }
  | { kind: 'task'; functionName: string; ok: boolean; durationMs: number; error?: string };

export interface JobRunOptions extends JobRequest {
  /** The request already prepared (validated, job id derived): it is not done twice. */
  prepared?: PreparedJob;
  /** Where to put the results (a file or folder, as the pipeline says); default: no download. */
  outputPath?: string;
  /** Keeps S3 objects and the table between runs; default: a temp dir thrown away. Ignored with `stack`. */
  dataDir?: string;
  /** Run on an already started stack (tests); otherwise one is started and stopped here. */
  stack?: LocalStack;
  /** Aborting stops the execution (ExecutionAborted) and kills its running workers. */
  signal?: AbortSignal;
  /** The functions of a stack started here. Default: the shared functions and the pipeline's. */
  functions?: readonly FunctionSpec[];
  timeScale?: number;
  /** Function log lines (ignored with `stack`); default: printed on stderr. */
  onLog?: (line: LogLine) => void;
  onEvent?: (event: JobEvent) => void;
  /** How often the progress table is read. */
  pollMs?: number;
}

export interface JobSummary {
  pipeline: string;
  jobId: string;
  executionArn: string;
  result: ExecutionResult;
  wallMs: number;
  byFunction: Record<string, FunctionFigures>;
  /** The invocation that came closest to its function's timeout. */
  longest?: LongestTask;
  /** What the pipeline reports of a successful execution. */
  report?: PipelineSummary;
  /** Where the results were downloaded. */
  outputPath?: string;
  /** A failed job's error as its progress record has it (RecordFailure names the task behind a Map's failure). */
  jobFailure?: { error: string; cause: string };
}

export async function runJob(opts: JobRunOptions): Promise<JobSummary> {
  const prepared = opts.prepared ?? (await prepareJob(opts));
  const functions = opts.functions ?? collectFunctions([opts.pipeline]);
  const emit = opts.onEvent ?? (() => {});
  const byFunction: Record<string, FunctionFigures> = {};
  const onInvocation = (record: InvocationRecord) => {
    addInvocation(byFunction, record, functions);
    const error = record.outcome.ok ? undefined : record.outcome.error.errorType;
    emit({ kind: 'task', functionName: record.functionName, ok: record.outcome.ok, durationMs: record.outcome.durationMs, error });
  };

  const ownStack = !opts.stack;
  const stack = opts.stack ?? (await startLocalStack({ dataDir: opts.dataDir, functions, timeScale: opts.timeScale, onLog: opts.onLog }));
  const unsubscribe = stack.observeInvocations(onInvocation);
  const restoreEnv = applyEnv(stack.services.env);
  const started = Date.now();
  try {
    for (const upload of prepared.uploads) emit(await uploadInput(upload, prepared));
    const execution = await startExecution(stack, opts.pipeline, prepared);
    emit({ kind: 'started', jobId: prepared.jobId, executionArn: execution.executionArn });
    const result = await watch(execution, prepared.jobId, opts, emit);
    const summary: JobSummary = {
      pipeline: opts.pipeline.name,
      jobId: prepared.jobId,
      executionArn: execution.executionArn,
      result,
      wallMs: Date.now() - started,
      byFunction,
      longest: longestAgainstTimeout(byFunction),
    };
    if (result.status !== 'SUCCEEDED') {
      const job = await getJob(prepared.jobId).catch(() => undefined);
      if (job?.status === 'FAILED' && job.error) summary.jobFailure = { error: job.error, cause: job.cause ?? '' };
      return summary;
    }
    summary.report = opts.pipeline.summarize(result.output);
    if (opts.outputPath) {
      await download(opts.pipeline.outputFiles(result.output, opts.outputPath));
      summary.outputPath = opts.outputPath;
    }
    return summary;
  } finally {
    unsubscribe();
    restoreEnv();
    if (ownStack) await stack.stop();
  }
}

/**
 * A derived jobId names the content, so an object of the same size at the key is this file from an
 * earlier run. A given jobId says nothing about the content: upload, and let the job's fingerprint
 * refuse a different input.
 */
async function uploadInput(upload: PreparedUpload, job: PreparedJob): Promise<JobEvent> {
  const { size } = await stat(upload.path);
  const existing = job.derived ? await head(upload.key) : undefined;
  const skipped = existing?.size === size;
  if (!skipped) await uploadFile(upload.path, upload.key, { contentType: upload.contentType });
  return { kind: 'uploaded', jobId: job.jobId, key: upload.key, bytes: size, skipped };
}

async function startExecution(stack: LocalStack, pipeline: Pipeline, job: PreparedJob): Promise<Execution> {
  const aslPath = join(repoRoot, pipeline.asl);
  const definition = loadDefinition(await readFile(aslPath, 'utf8'), { placeholders: stack.placeholders, fileName: basename(aslPath) });
  // As deployed: the machine exists by name, so a task may start it again (`$$.StateMachine.Id`: the ML
  // pipeline's train loop continues in a fresh execution before its history nears AWS's limit).
  stack.engine.registerStateMachine(pipeline.name, definition);
  return stack.engine.startExecution(definition, job.input, { name: `${job.jobId}-${Date.now()}`, stateMachineName: pipeline.name });
}

/** Awaits the execution, reporting the progress table as it goes; an abort stops the execution. */
async function watch(execution: Execution, jobId: string, opts: JobRunOptions, emit: (e: JobEvent) => void): Promise<ExecutionResult> {
  const abort = () => void execution.stop({ error: 'Aborted', cause: 'stopped by the user' });
  opts.signal?.addEventListener('abort', abort, { once: true });
  const report = () =>
    getJob(jobId).then(
      (job) => job && emit({ kind: 'progress', job }),
      () => {}, // a missed poll is shown by the next one
    );
  const poll = setInterval(report, opts.pollMs ?? 1000);
  try {
    return await execution.done;
  } finally {
    clearInterval(poll);
    opts.signal?.removeEventListener('abort', abort);
    await report();
  }
}

async function download(files: readonly { key: string; path: string }[]): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    await downloadToFile(file.key, file.path);
  }
}
