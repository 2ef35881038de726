// What a training job is asked to do: the model (its shape, optimizer and seed) and how long to train.
// The checkpoint records it, and a resumed task refuses a different one: weights and optimizer state
// only mean something for the model and settings they were trained with.
import { z } from 'zod';
import { InvalidInput } from '../../lib/errors';
import { fieldProblems } from '../../lib/validation';
import type { DatasetLayout } from '../dataset-layout';
import { mlTaskSchema } from '../dataset-layout';

export const modelConfigSchema = z.object({
  task: mlTaskSchema,
  /** Model inputs per row (the layout's width). */
  width: z.number().int().min(1),
  /** Classification: the number of classes (≥ 2); regression: 0. */
  classes: z.number().int().min(0),
  /** Units of each hidden (ReLU) layer; empty for a linear or logistic model. */
  hidden: z.array(z.number().int().min(1).max(4096)).max(16),
  optimizer: z.enum(['adam', 'sgd']),
  learningRate: z.number().positive().finite(),
  batchSize: z.number().int().min(1).max(65_536),
  /** Seeds the initializers and every epoch's shuffle: the same seed trains the same model. */
  seed: z.number().int().min(0).max(0xffff_ffff),
});

export const trainConfigSchema = modelConfigSchema.extend({
  epochs: z.number().int().min(1).max(100_000),
  /** Epochs without a better validation loss before training stops and the best weights are kept. */
  patience: z.number().int().min(1),
  /**
   * Train shards shuffled together (epoch-order.ts): a batch mixes rows of this many shards, and a
   * task holds at most twice this many train shards in memory.
   */
  shuffleWindowShards: z.number().int().min(1).max(1024).default(4),
});

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type TrainConfig = z.infer<typeof trainConfigSchema>;
/** As a job gives it: defaults may be left out. */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** The config with its defaults, or InvalidInput naming every bad field. */
export function parseTrainConfig(raw: unknown): TrainConfig {
  const result = trainConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = fieldProblems(result.error);
  throw new InvalidInput(`Invalid training config: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, { field: problems[0]?.field, problems });
}

/** The model config must describe the dataset Prepare wrote; a mismatch would train on misread rows. */
export function checkConfigAgainstLayout(config: ModelConfig, layout: DatasetLayout): void {
  const problems: string[] = [];
  if (config.task !== layout.task) problems.push(`task is ${config.task} but the dataset is for ${layout.task}`);
  if (config.width !== layout.width) problems.push(`width is ${config.width} but the dataset's rows have ${layout.width} inputs`);
  if (config.classes !== layout.classes) problems.push(`classes is ${config.classes} but the dataset has ${layout.classes}`);
  if (config.task === 'classification' && config.classes < 2) problems.push('classification needs at least 2 classes');
  if (config.task === 'regression' && config.classes !== 0) problems.push('regression takes classes 0');
  if (layout.train.rows < 1) problems.push('the train split is empty');
  // Early stopping and the best weights are judged on validation loss: without rows there is none.
  if (layout.validation.rows < 1) problems.push('the validation split is empty');
  if (problems.length > 0) throw new InvalidInput(`Training config does not fit the dataset: ${problems.join('; ')}`, { field: 'config' });
}
