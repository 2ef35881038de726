// What the ETL end-to-end tests share: a stack with the ETL pipeline's functions, one job run through
// the local runner (with its outputs downloaded and the invocations of one function recorded), the
// failure a job ended with, what it published, and DuckDB's reading of the same files as the oracle.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { collectFunctions } from '../../handlers/catalog';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { etlOutputSchema, etlPipeline } from '../../handlers/etl/pipeline';
import { listKeys } from '../../handlers/lib/s3';
import type { InvokeOutcome } from '../../local/lambda/types';
import { runJob, type JobRunOptions, type JobSummary } from '../../local/run/job-runner';
import type { LocalStack } from '../../local/stack';
import { useLocalStack } from './stack';

export const MB = 1024 * 1024;

export type EtlOutput = ReturnType<typeof etlOutputSchema.parse>;
export type EtlReport = EtlOutput['report'];

/**
 * Transforms (and scans) run at once in a test job. A cold worker costs 0.5-1.5 s of CPU on this 2-core
 * machine (tsx compiles the handler): more parallel items only start more workers.
 */
export const TEST_MAP_CONCURRENCY = 2;

/**
 * One stack for a test file: the ETL pipeline's functions (plus `extra`), quiet. Its Lambda runtime keeps
 * a warm worker for each function and TEST_MAP_CONCURRENCY for the Map tasks: with the default (4 on
 * two cores) the pipeline's seven functions evict each other's workers and every invocation is cold.
 */
export function useEtlStack(extra: readonly FunctionSpec[] = []): () => LocalStack {
  const functions = [...collectFunctions([etlPipeline]), ...extra];
  return useLocalStack({ functions, onLog: () => {}, maxConcurrency: functions.length + 3 * TEST_MAP_CONCURRENCY });
}

/** The stack as a state machine would see it with `${<placeholder>Arn}` pointing at another function. */
export function withFunctionAs(stack: LocalStack, placeholder: string, functionName: string): LocalStack {
  return { ...stack, placeholders: { ...stack.placeholders, [`${placeholder}Arn`]: stack.lambda.arnOf(functionName) } };
}

export interface EtlRunOptions {
  input: string;
  spec: unknown;
  /** Other fields of the execution input: partitionMb, maxRejectPercent... (maxConcurrency: TEST_MAP_CONCURRENCY). */
  settings?: Record<string, unknown>;
  /** Default: derived from the file and the settings, as `longhaul run` does. */
  jobId?: string;
  /** Where the outputs are downloaded (a successful job only). */
  outDir?: string;
  /** Records what every invocation of this function returned (default EtlTransform). */
  observe?: string;
  /** The run's events (progress as read from the table, invocations), as `longhaul run` gets them. */
  onEvent?: JobRunOptions['onEvent'];
}

export interface EtlRun {
  summary: JobSummary;
  jobId: string;
  /** The execution output, when it succeeded. */
  output?: EtlOutput;
  /** What each invocation of `observe` returned, in the order they ended. */
  outcomes: InvokeOutcome[];
}

export async function runEtl(stack: LocalStack, opts: EtlRunOptions): Promise<EtlRun> {
  const outcomes: InvokeOutcome[] = [];
  const observed = opts.observe ?? 'EtlTransform';
  const stop = stack.observeInvocations((r) => r.functionName === observed && outcomes.push(r.outcome));
  try {
    const summary = await runJob({
      pipeline: etlPipeline,
      files: { input: opts.input },
      settings: { spec: opts.spec, maxConcurrency: TEST_MAP_CONCURRENCY, ...opts.settings },
      jobId: opts.jobId,
      outputPath: opts.outDir,
      stack,
      onEvent: opts.onEvent,
    });
    const output = summary.result.status === 'SUCCEEDED' ? etlOutputSchema.parse(summary.result.output) : undefined;
    return { summary, jobId: summary.jobId, output, outcomes };
  } finally {
    stop();
  }
}

/** The run's output, failing the test with the execution's error when it did not succeed. */
export function succeeded(run: EtlRun): EtlOutput {
  const { status, error, cause } = run.summary.result;
  expect(status, `${error}: ${cause}`).to.equal('SUCCEEDED');
  return run.output!;
}

/** The error a failed execution ended with, and the failing task's own message (the Cause is Lambda's error object). */
export function failureOf(run: Pick<EtlRun, 'summary'>): { error: string; message: string } {
  const { status, error, cause } = run.summary.result;
  expect(status, `expected the job to fail; output ${JSON.stringify(run.summary.result.output)}`).to.equal('FAILED');
  let message = cause ?? '';
  try {
    message = (JSON.parse(message) as { errorMessage?: string }).errorMessage ?? message;
  } catch {
    // a Cause that is not Lambda's error object is the message itself
  }
  return { error: error ?? '', message };
}

/** Every key the job published under jobs/<jobId>/output/. */
export function publishedKeys(jobId: string): Promise<string[]> {
  return listKeys(`jobs/${jobId}/output/`);
}

/** The invocations' payloads, each checked to be a success (no timeout, no crash). */
export function payloadsOf<T>(outcomes: readonly InvokeOutcome[]): T[] {
  return outcomes.map((o) => {
    expect(o.ok, JSON.stringify(o)).to.equal(true);
    return (o as Extract<InvokeOutcome, { ok: true }>).payload as T;
  });
}

/** A CSV file's records as objects keyed by its header (fields as text, empty fields as ''). */
export async function csvObjects(path: string): Promise<Record<string, string>[]> {
  return parse(await readFile(path), { columns: true }) as Record<string, string>[];
}

export async function readReport(outDir: string): Promise<EtlReport> {
  return JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')) as EtlReport;
}

/** The rows/ parts downloaded to `outDir`, in part order. */
export async function rowParts(outDir: string): Promise<string[]> {
  const names = (await readdir(join(outDir, 'rows'))).filter((n) => n.endsWith('.parquet')).sort();
  return names.map((n) => join(outDir, 'rows', n));
}

/** A string literal for SQL. */
export function sql(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** `a` and `b` within `relative` of each other (both null, or both the same non-finite value, too). */
export function expectClose(actual: number | null, expected: number | null, relative: number, what: string): void {
  if (actual === null || expected === null || !Number.isFinite(expected)) {
    expect(actual, what).to.deep.equal(expected);
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).to.be.at.most(relative * Math.max(Math.abs(actual), Math.abs(expected)));
}

/** A list of files for DuckDB's read_parquet. */
export function parquetList(paths: readonly string[]): string {
  return `[${paths.map(sql).join(', ')}]`;
}

const DUCK_TYPES: Record<string, string> = { string: 'VARCHAR', int: 'BIGINT', float: 'DOUBLE', bool: 'BOOLEAN', date: 'DATE', timestamp: 'TIMESTAMP' };

/** A spec's columns as DuckDB's read_csv `columns`/`types` struct: `{'id': 'BIGINT', 'price': 'DECIMAL(10,2)'}`. */
export function duckColumns(columns: Readonly<Record<string, string>>): string {
  const typeOf = (specType: string) => {
    const text = specType.replace(/!$/, '');
    return DUCK_TYPES[text] ?? text.replace(/^decimal/, 'DECIMAL');
  };
  return `{${Object.entries(columns).map(([name, type]) => `${sql(name)}: ${sql(typeOf(type))}`).join(', ')}}`;
}
