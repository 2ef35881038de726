// The ML pipeline, declared once: prepare the dataset → train each trial in a time-boxed loop (continued
// in a fresh execution before the history nears its limit) → evaluate the best trial and publish the
// model. Its functions, its execution input, how `longhaul run ml` builds one from a local file and
// flags, and what a finished job reports. See README.md, "The ML pipeline".
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import type { FunctionSpec } from '../catalog-types';
import { jobKeys, keyPatterns } from '../lib/storage-layout';
import { definePipeline, sourceFileUpload } from '../pipeline';
import { mlTaskSchema } from './dataset-layout';
import { mlJobSchema } from './job-input';
import { mlLiveFigures } from './live-figures';

/** The training function's timeout: each train task is one time box of at most this long. */
export const TRAIN_TIMEOUT_SECONDS = 900;

const work = { read: [keyPatterns.work], write: [keyPatterns.work] };

export const mlFunctions: readonly FunctionSpec[] = [
  {
    name: 'MlPrepare',
    entry: 'handlers/ml/prepare.ts',
    description: 'Validates an ML job and its dataset (naming the column and row), splits, imputes, encodes and standardizes it into Float32 shards',
    // Holds the dataset's columns and one encoded shard per upload in flight; no tfjs.
    memoryMb: 3008,
    timeoutSeconds: 900,
    ephemeralStorageMb: 512,
    layers: [],
    s3: { read: [keyPatterns.input, keyPatterns.work], write: [keyPatterns.work] },
    table: 'write',
  },
  {
    name: 'MlTrain',
    entry: 'handlers/ml/train.ts',
    description: 'One time-boxed turn of a training loop: resumes the checkpoint, trains batch after batch, checkpoints before its deadline',
    // 1,769 MB is one full vCPU: wasm trains on one thread.
    memoryMb: 1769,
    timeoutSeconds: TRAIN_TIMEOUT_SECONDS,
    ephemeralStorageMb: 512,
    layers: ['tfjs'],
    s3: work,
    table: 'write',
  },
  {
    name: 'MlEvaluate',
    entry: 'handlers/ml/evaluate.ts',
    description: "Scores the best trial's model on the test split; publishes the model, preprocessing.json, curves.svg, metrics.json (and trials.json)",
    memoryMb: 1769,
    timeoutSeconds: 900,
    ephemeralStorageMb: 512,
    layers: ['tfjs'],
    s3: { read: [keyPatterns.work, keyPatterns.output], write: [keyPatterns.work, keyPatterns.output] },
    table: 'write',
  },
];

/** The state machine's output: Evaluate's result (asl/ml.asl.json, state Evaluate). */
export const mlOutputSchema = z.object({
  jobId: z.string(),
  task: mlTaskSchema,
  headline: z.object({ name: z.enum(['accuracy', 'r2']), value: z.number() }),
  outputs: z.array(z.string()),
  reused: z.boolean(),
});

export const mlPipeline = definePipeline({
  name: 'ml',
  description: 'train a neural network on a CSV or Parquet table for any length of time, checkpointed and resumed exactly',
  asl: 'asl/ml.asl.json',
  functions: mlFunctions,
  job: mlJobSchema,
  output: mlOutputSchema,
  units: { name: 'epoch', functionName: 'MlTrain' },
  figures: mlLiveFigures,
  cli: {
    uploads: [sourceFileUpload('The CSV or Parquet table, one row per example. Required.', '.csv', 'application/octet-stream')],
    flags: [
      { name: 'label', field: ['label'], type: 'string', help: 'The column to predict. Required.' },
      { name: 'task', field: ['task'], type: 'string', help: 'classification or regression. Default: classification for a text label, regression for a numeric one.' },
      { name: 'features', field: ['features'], type: 'string', help: 'Feature columns, comma-separated, each optionally name:numeric or name:categorical. Default: every column but the label.' },
      { name: 'hidden', field: ['hidden'], type: 'string', help: 'Units of each hidden layer, comma-separated.' },
      { name: 'optimizer', field: ['optimizer'], type: 'string', help: 'adam or sgd.' },
      { name: 'learning-rate', field: ['learningRate'], type: 'number', help: "The optimizer's learning rate." },
      { name: 'batch-size', field: ['batchSize'], type: 'integer', help: 'Rows per training batch.' },
      { name: 'epochs', field: ['epochs'], type: 'integer', help: 'Most epochs to train.' },
      { name: 'patience', field: ['patience'], type: 'integer', help: 'Epochs without a better validation loss before training stops, keeping the best weights.' },
      { name: 'seed', field: ['seed'], type: 'integer', help: 'Seeds the split, the initial weights and every shuffle: the same seed trains the same model.' },
      { name: 'trials', field: ['trials'], type: 'integer', help: 'Configurations trained side by side (hidden sizes, learning rate, batch size drawn around yours); the lowest validation loss is evaluated.' },
      { name: 'turns-per-execution', field: ['turnsPerExecution'], type: 'integer', help: "Train turns before the loop continues in a fresh execution (AWS's history holds 25,000 events)." },
    ],
    functionFlags: [
      { name: 'train-timeout-seconds', functionName: 'MlTrain', setting: 'timeoutSeconds', help: "The training function's timeout, i.e. each train task's time box (local runs; small values force many short tasks)." },
    ],
    outputHelp: 'Folder for model/model.json, model/weights.bin, preprocessing.json, metrics.json, curves.svg (and trials.json). Default .longhaul/out/<name>-ml/',
    defaultOutput: (_job, inputs) => join('.longhaul/out', `${basename(inputs.input ?? 'data', extname(inputs.input ?? ''))}-ml`),
    outputFiles: (output, target) => {
      const prefix = jobKeys.output(output.jobId, '');
      return output.outputs.map((key) => ({ key, path: join(target, key.slice(prefix.length)) }));
    },
  },
  summarize: ({ task, headline, reused }) => ({
    facts: [['test', `${headline.name} ${headline.value.toFixed(4)} (${task})${reused ? ' (job had finished before: nothing redone)' : ''}`]],
    details: [],
    ok: true,
  }),
});
