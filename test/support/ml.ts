// What the ML end-to-end tests share: a stack with the ML pipeline's functions (plus a training function
// whose timeout `--train-timeout-seconds` shortened, for jobs of many short tasks), one job run through
// the local runner with its outputs downloaded, the Train invocations' payloads and the executions it
// started (continuations), and the downloaded model loaded by tfjs's own loader.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { collectFunctions } from '../../handlers/catalog';
import type { FunctionSpec } from '../../handlers/catalog-types';
import type { MetricsFile } from '../../handlers/ml/evaluate-job';
import { mlOutputSchema, mlPipeline } from '../../handlers/ml/pipeline';
import { initBackend } from '../../handlers/ml/train/backend';
import { applyFunctionFlags } from '../../handlers/pipeline';
import type { InvokeOutcome } from '../../local/lambda/types';
import { runJob, type JobSummary } from '../../local/run/job-runner';
import type { LocalStack } from '../../local/stack';
import { toCsv, vegaRecords, type JsonRecord } from '../handlers/ml/vega-data';
import { withFunctionAs } from './etl';
import { useLocalStack } from './stack';

export type MlOutput = ReturnType<typeof mlOutputSchema.parse>;

/** The training function as `longhaul run ml --train-timeout-seconds <s>` runs it, under its own name. */
export function shortTrainFunction(seconds: number, name = 'MlTrainShort'): FunctionSpec {
  const [train] = applyFunctionFlags(
    mlPipeline.functions.filter((f) => f.name === 'MlTrain'),
    mlPipeline.cli.functionFlags,
    { 'train-timeout-seconds': seconds },
  );
  return { ...train!, name };
}

export function useMlStack(extra: readonly FunctionSpec[] = []): () => LocalStack {
  const functions = [...collectFunctions([mlPipeline]), ...extra];
  return useLocalStack({ functions, onLog: () => {}, maxConcurrency: functions.length + 4 });
}

/** The stack with the state machine's `${MlTrainArn}` pointing at `functionName`. */
export function withTrainAs(stack: LocalStack, functionName: string): LocalStack {
  return withFunctionAs(stack, 'MlTrain', functionName);
}

/** A vega-datasets JSON file written as CSV at `dir/fileName`, optionally with records changed first. */
export async function vegaCsv(dir: string, name: 'penguins.json' | 'cars.json', fileName: string, edit?: (records: JsonRecord[]) => void): Promise<string> {
  const records = vegaRecords(name);
  edit?.(records);
  const path = join(dir, fileName);
  await writeFile(path, toCsv(records));
  return path;
}

export interface MlRun {
  summary: JobSummary;
  jobId: string;
  output?: MlOutput;
  /** What each invocation of `observe` (default MlTrain) returned, in the order they ended. */
  outcomes: InvokeOutcome[];
  /** Executions started besides the job's own: its continuations. */
  continuations: number;
}

export async function runMl(stack: LocalStack, opts: { input: string; settings: Record<string, unknown>; jobId: string; outDir?: string; observe?: string }): Promise<MlRun> {
  const outcomes: InvokeOutcome[] = [];
  const observed = opts.observe ?? 'MlTrain';
  let continuations = 0;
  const stopObserving = stack.observeInvocations((r) => r.functionName === observed && outcomes.push(r.outcome));
  const stopCounting = stack.engine.onExecutionStarted((_e, parent) => parent !== undefined && (continuations += 1));
  try {
    const summary = await runJob({ pipeline: mlPipeline, files: { input: opts.input }, settings: opts.settings, jobId: opts.jobId, outputPath: opts.outDir, stack });
    const output = summary.result.status === 'SUCCEEDED' ? mlOutputSchema.parse(summary.result.output) : undefined;
    return { summary, jobId: summary.jobId, output, outcomes, continuations };
  } finally {
    stopObserving();
    stopCounting();
  }
}

export function succeeded(run: MlRun): MlOutput {
  const { status, error, cause } = run.summary.result;
  expect(status, `${error}: ${cause}`).to.equal('SUCCEEDED');
  return run.output!;
}

export async function readMetrics(outDir: string): Promise<MetricsFile> {
  return JSON.parse(await readFile(join(outDir, 'metrics.json'), 'utf8')) as MetricsFile;
}

/** The downloaded model through tf.loadLayersModel, its files read by a plain IOHandler (no tfjs-node here). */
export async function loadDownloadedModel(outDir: string): Promise<tf.LayersModel> {
  // The backend Evaluate scored on, so the same model gives the same probabilities here.
  await initBackend();
  const modelDir = join(outDir, 'model');
  const json = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const manifest = json.weightsManifest;
  expect(manifest.flatMap((g) => g.paths)).to.deep.equal(['weights.bin']);
  const weights = await readFile(join(modelDir, 'weights.bin'));
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: json.modelTopology,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      weightSpecs: manifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  };
  return tf.loadLayersModel(handler);
}
