// Where Prepare leaves the dataset, under the job's work/ prefix (expired by the bucket's lifecycle rule;
// Evaluate copies preprocessing.json to output/ beside the model).
import { jobKeys } from '../lib/storage-layout';

export type SplitName = 'train' | 'validation' | 'test';

export const SPLIT_NAMES: readonly SplitName[] = ['train', 'validation', 'test'];

export const datasetKeys = {
  /** The DatasetLayout (dataset-layout.ts), written last: its presence means the dataset is complete. */
  layout: (jobId: string) => jobKeys.work(jobId, 'dataset/layout.json'),
  preprocessing: (jobId: string) => jobKeys.work(jobId, 'dataset/preprocessing.json'),
  shard: (jobId: string, split: SplitName, index: number) => jobKeys.work(jobId, `dataset/${split}-${String(index).padStart(5, '0')}.shard`),
};
