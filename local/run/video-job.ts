// Runs one video job locally, end to end, as a user would in AWS: upload the source, start an execution of
// asl/video.asl.json, watch the progress table, download the result. The CLI (`longhaul run video`), the
// end-to-end tests and the benchmark all go through here.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalog } from '../../handlers/catalog';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { getJob, type JobRecord } from '../../handlers/lib/progress';
import { downloadToFile, head, uploadFile } from '../../handlers/lib/s3';
import { jobKeys } from '../../handlers/lib/storage-layout';
import type { Verification } from '../../handlers/video/verify';
import { sha256File } from '../../infra/packaging/deterministic-zip';
import { loadDefinition, type ExecutionResult } from '../engine';
import type { LogLine } from '../lambda/types';
import { applyEnv } from '../process-env';
import { startLocalStack, type InvocationRecord, type LocalStack } from '../stack';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const VIDEO_ASL = join(repoRoot, 'asl/video.asl.json');

export interface VideoSettings {
  height: number;
  crf: number;
  preset: string;
  audioBitrateKbps: number;
  /** null: the probe's cost model picks the chunk length. */
  chunkSeconds: number | null;
  maxConcurrency: number;
}

export const DEFAULT_VIDEO_SETTINGS: VideoSettings = {
  height: 360,
  crf: 23,
  preset: 'veryfast',
  audioBitrateKbps: 128,
  chunkSeconds: null,
  maxConcurrency: 10,
};

export type VideoJobEvent =
  | { kind: 'uploaded'; jobId: string; key: string; bytes: number; skipped: boolean }
  | { kind: 'started'; jobId: string; executionArn: string }
  | { kind: 'progress'; job: JobRecord }
  | { kind: 'task'; functionName: string; ok: boolean; durationMs: number; error?: string };

export interface VideoJobOptions {
  inputPath: string;
  /** Where to write the result; default: no download. */
  outputPath?: string;
  settings?: Partial<VideoSettings>;
  /** Default: derived from the source's content and the settings, so a re-run finds the finished job. */
  jobId?: string;
  /** Keeps S3 objects and the table between runs; default: a temp dir thrown away. Ignored with `stack`. */
  dataDir?: string;
  /** Run on an already started stack (tests); otherwise one is started and stopped here. */
  stack?: LocalStack;
  functions?: readonly FunctionSpec[];
  timeScale?: number;
  /** Function log lines (ignored with `stack`); default: printed on stderr. */
  onLog?: (line: LogLine) => void;
  onEvent?: (event: VideoJobEvent) => void;
  /** How often the progress table is read. */
  pollMs?: number;
  /** Aborting stops the execution (ExecutionAborted) and kills its running workers. */
  signal?: AbortSignal;
}

export interface FunctionFigures {
  invocations: number;
  failures: number;
  totalMs: number;
  longestMs: number;
  timeoutMs: number;
}

export interface VideoJobSummary {
  jobId: string;
  executionArn: string;
  result: ExecutionResult;
  outputPath?: string;
  outputKey?: string;
  chunks?: number;
  verification?: Verification;
  /** True when merge found the job already finished and returned its recorded output. */
  reused?: boolean;
  wallMs: number;
  byFunction: Record<string, FunctionFigures>;
  /** The invocation that came closest to its function's timeout. */
  longest?: { functionName: string; durationMs: number; timeoutMs: number };
}

interface MergeResultShape {
  outputKey: string;
  chunks: number;
  verification: Verification;
  reused?: boolean;
}

/** Same bytes and same settings → same job id, so the pipeline's idempotency applies across runs. */
export async function deriveJobId(inputPath: string, settings: VideoSettings): Promise<string> {
  const content = await sha256File(inputPath);
  const settingsHash = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
  return `video-${content.slice(0, 12)}-${settingsHash.slice(0, 8)}`;
}

function figuresFor(byFunction: Record<string, FunctionFigures>, record: InvocationRecord, functions: readonly FunctionSpec[]) {
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

function longestAgainstTimeout(byFunction: Record<string, FunctionFigures>): VideoJobSummary['longest'] {
  let best: VideoJobSummary['longest'];
  for (const [functionName, f] of Object.entries(byFunction)) {
    if (!f.timeoutMs) continue;
    if (!best || f.longestMs / f.timeoutMs > best.durationMs / best.timeoutMs) {
      best = { functionName, durationMs: f.longestMs, timeoutMs: f.timeoutMs };
    }
  }
  return best;
}

export async function runVideoJob(opts: VideoJobOptions): Promise<VideoJobSummary> {
  const settings: VideoSettings = { ...DEFAULT_VIDEO_SETTINGS, ...opts.settings };
  const info = await stat(opts.inputPath).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`Input video not found: ${opts.inputPath}`);
  const emit = opts.onEvent ?? (() => {});
  const functions = opts.functions ?? catalog;
  const byFunction: Record<string, FunctionFigures> = {};
  const onInvocation = (record: InvocationRecord) => {
    figuresFor(byFunction, record, functions);
    const error = record.outcome.ok ? undefined : record.outcome.error.errorType;
    emit({ kind: 'task', functionName: record.functionName, ok: record.outcome.ok, durationMs: record.outcome.durationMs, error });
  };

  const ownStack = !opts.stack;
  const stack = opts.stack ?? (await startLocalStack({ dataDir: opts.dataDir, functions, timeScale: opts.timeScale, onLog: opts.onLog }));
  const unsubscribe = stack.observeInvocations(onInvocation);
  const restoreEnv = applyEnv(stack.services.env);
  const started = Date.now();
  try {
    const jobId = opts.jobId ?? (await deriveJobId(opts.inputPath, settings));
    const inputKey = jobKeys.input(jobId, `source${extname(opts.inputPath).toLowerCase() || '.mp4'}`);
    // A derived jobId names the content, so an object of the same size there is this file from an earlier
    // run. A given jobId says nothing about the content: upload, and let probe refuse a different input.
    const existing = opts.jobId === undefined ? await head(inputKey) : undefined;
    const skipped = existing?.size === info.size;
    if (!skipped) await uploadFile(opts.inputPath, inputKey, { contentType: 'video/mp4' });
    emit({ kind: 'uploaded', jobId, key: inputKey, bytes: info.size, skipped });

    const definition = loadDefinition(await readFile(VIDEO_ASL, 'utf8'), {
      placeholders: stack.placeholders,
      fileName: basename(VIDEO_ASL),
    });
    const { chunkSeconds, maxConcurrency, ...output } = settings;
    const execution = stack.engine.startExecution(
      definition,
      { jobId, input: { key: inputKey }, output, chunkSeconds, maxConcurrency },
      { name: `${jobId}-${Date.now()}`, stateMachineName: 'video' },
    );
    emit({ kind: 'started', jobId, executionArn: execution.executionArn });
    const abort = () => void execution.stop({ error: 'Aborted', cause: 'stopped by the user' });
    opts.signal?.addEventListener('abort', abort, { once: true });

    const poll = setInterval(() => {
      getJob(jobId).then(
        (job) => job && emit({ kind: 'progress', job }),
        () => {}, // a missed poll is shown by the next one
      );
    }, opts.pollMs ?? 1000);
    let result: ExecutionResult;
    try {
      result = await execution.done;
    } finally {
      clearInterval(poll);
      opts.signal?.removeEventListener('abort', abort);
    }
    const finalJob = await getJob(jobId);
    if (finalJob) emit({ kind: 'progress', job: finalJob });

    const summary: VideoJobSummary = {
      jobId,
      executionArn: execution.executionArn,
      result,
      wallMs: Date.now() - started,
      byFunction,
      longest: longestAgainstTimeout(byFunction),
    };
    if (result.status !== 'SUCCEEDED') return summary;
    const merged = result.output as MergeResultShape;
    summary.outputKey = merged.outputKey;
    summary.chunks = merged.chunks;
    summary.verification = merged.verification;
    summary.reused = merged.reused;
    if (opts.outputPath) {
      await mkdir(dirname(opts.outputPath), { recursive: true });
      await downloadToFile(merged.outputKey, opts.outputPath);
      summary.outputPath = opts.outputPath;
    }
    return summary;
  } finally {
    unsubscribe();
    restoreEnv();
    if (ownStack) await stack.stop();
  }
}
