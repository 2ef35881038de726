// What Prepare leaves for the training tasks: the dataset as Float32 shards in S3, split into train,
// validation and test, already imputed, one-hot encoded and standardized (preprocessing.ts), plus the
// layout below that says where each split's shards are. A train task reads only the shards it needs.
import { z } from 'zod';

export const mlTaskSchema = z.enum(['classification', 'regression']);
export type MlTask = z.infer<typeof mlTaskSchema>;

/** Rows of one split, in the split's (seeded, shuffled) order, as model inputs and targets. */
export interface Shard {
  rows: number;
  /** Model inputs per row (after one-hot encoding). */
  width: number;
  /** rows × width, row-major. */
  features: Float32Array;
  /** One target a row: the class index (classification) or the label's value (regression). */
  labels: Float32Array;
}

const splitSchema = z.object({
  rows: z.number().int().min(0),
  /** S3 keys of the split's shards, in row order; every shard but the last holds `shardRows` rows. */
  shards: z.array(z.string()),
});

export const datasetLayoutSchema = z.object({
  task: mlTaskSchema,
  /** Model inputs per row. */
  width: z.number().int().min(1),
  /** Classification: the number of classes (≥ 2); regression: 0. */
  classes: z.number().int().min(0),
  shardRows: z.number().int().min(1),
  train: splitSchema,
  validation: splitSchema,
  test: splitSchema,
});

export type DatasetLayout = z.infer<typeof datasetLayoutSchema>;
