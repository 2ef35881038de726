// The ML job's input: the Step Functions execution input, validated once by Prepare, which keeps the
// normalized copy in the plan (plan.ts) for every later task, so defaults are decided here and in the
// dataset request it embeds (dataset-request.ts: label, task, features, batch size, seed, split).
import { z } from 'zod';
import { inputUnderJobPrefix, jobIdSchema, s3KeySchema } from '../lib/validation';
import { datasetRequestSchema, parseFeatureList } from './dataset-request';
import { modelConfigSchema } from './train/train-config';

/** Most trials one job may run: each is its own train loop, all in one inline Map of one execution. */
export const MAX_TRIALS = 16;

/**
 * Train turns one execution may run before it continues in a fresh one. A turn costs 11 history events
 * (the Task 5, two Choices and a Pass 6) and a retried attempt 3 more, so 1,000 turns take ~11,000 of
 * AWS's 25,000, and even 1,500 leave room for every turn to be retried once (test/asl/ml-loop.test.ts);
 * with several trials in one execution the budget is shared (Prepare divides it).
 */
export const DEFAULT_TURNS_PER_EXECUTION = 1_000;
export const MAX_TURNS_PER_EXECUTION = 1_500;

/** `longhaul run`'s `--hidden 64,32` and `--features a,b:categorical` (and the same text in AWS's input). */
const commaList = (parse: (text: string) => unknown) => (value: unknown) => (typeof value === 'string' ? parse(value) : value);
const integers = (text: string) => (text.trim() === '' ? [] : text.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : s)));
const features = (text: string) => {
  try {
    return parseFeatureList(text);
  } catch {
    return text; // left for the schema to refuse, naming the field
  }
};

export const mlJobSchema = inputUnderJobPrefix(
  datasetRequestSchema.extend({
    jobId: jobIdSchema,
    input: z.strictObject({ key: s3KeySchema, format: z.enum(['csv', 'parquet']).optional() }),
    features: z.preprocess(commaList(features), datasetRequestSchema.shape.features),
    /** Units of each hidden layer; empty: a linear (regression) or logistic (classification) model. */
    hidden: z.preprocess(commaList(integers), modelConfigSchema.shape.hidden).default([64, 32]),
    optimizer: modelConfigSchema.shape.optimizer.default('adam'),
    learningRate: modelConfigSchema.shape.learningRate.default(0.001),
    epochs: z.number().int().min(1).max(100_000).default(50),
    /** Epochs without a better validation loss before training stops (the best epoch's weights are kept). */
    patience: z.number().int().min(1).default(5),
    /** Seeded random configurations trained side by side; the lowest validation loss is evaluated. */
    trials: z.number().int().min(1).max(MAX_TRIALS).default(1),
    /** Train turns per execution before continuing in a fresh one (tests force it small). */
    turnsPerExecution: z.number().int().min(1).max(MAX_TURNS_PER_EXECUTION).default(DEFAULT_TURNS_PER_EXECUTION),
  }),
);

export type MlJob = z.infer<typeof mlJobSchema>;

/** What every task after Prepare receives: the job id, everything else is in the plan. */
export const jobRefSchema = z.object({ jobId: jobIdSchema });
