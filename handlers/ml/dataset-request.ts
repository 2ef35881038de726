// What a job asks of its dataset: the label, the task, the features (and their kinds, where the data
// should not decide), the batch size, the seed and the split. The ML job's input schema embeds
// datasetRequestSchema, so defaults are decided here once.
import { z } from 'zod';
import { InvalidInput } from '../lib/errors';
import { mlTaskSchema } from './dataset-layout';
import { DEFAULT_SPLIT } from './dataset-split';

export const columnKindSchema = z.enum(['numeric', 'categorical']);

/** A feature by name (its kind inferred from the data), or with its kind. */
export const featureRequestSchema = z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), kind: columnKindSchema.optional() })]);
export type FeatureRequest = z.infer<typeof featureRequestSchema>;

export const datasetRequestSchema = z.strictObject({
  /** The column to predict. */
  label: z.string().min(1),
  /** Omitted: classification when the label is text, regression when it is numeric. */
  task: mlTaskSchema.optional(),
  /** Omitted: every column but the label. */
  features: z.array(featureRequestSchema).min(1).optional(),
  batchSize: z.number().int().min(1).max(1_000_000).default(32),
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  split: z
    .strictObject({ validation: z.number().min(0).lt(0.5), test: z.number().min(0).lt(0.5) })
    .default(DEFAULT_SPLIT),
  /** Rows per shard; omitted: about 4 MiB of inputs, a multiple of the batch size. */
  shardRows: z.number().int().min(1).optional(),
});

export type DatasetRequest = z.input<typeof datasetRequestSchema>;
export type ResolvedDatasetRequest = z.output<typeof datasetRequestSchema>;

const KIND_SUFFIX = /^(.*):(numeric|categorical)$/;

/**
 * The CLI's `--features a,b:categorical,c`: names separated by commas, each optionally ending in
 * `:numeric` or `:categorical` (a colon followed by anything else is part of the name).
 */
export function parseFeatureList(text: string): FeatureRequest[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new InvalidInput(`--features has an empty name: ${JSON.stringify(text)}`, { field: 'features' });
  return items.map((item) => {
    const m = KIND_SUFFIX.exec(item);
    return m ? { name: m[1]!, kind: m[2] as 'numeric' | 'categorical' } : item;
  });
}

export function featureName(f: FeatureRequest): string {
  return typeof f === 'string' ? f : f.name;
}
