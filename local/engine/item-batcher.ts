// Distributed Map ItemBatcher: groups items into `{ BatchInput?, Items }` child inputs, bounded by count and bytes.
import { StatesError } from './errors';
import { readPath } from './json-path';
import { MAX_PAYLOAD_BYTES } from './quotas';
import type { ItemBatcherDefinition } from './types';

function limit(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StatesError('States.Runtime', `ItemBatcher ${field} must be a non-negative integer, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function batchItems(items: unknown[], batcher: ItemBatcherDefinition, input: unknown, batchInput: unknown): unknown[] {
  const maxItems = limit(
    batcher.MaxItemsPerBatchPath !== undefined ? readPath(input, batcher.MaxItemsPerBatchPath, 'MaxItemsPerBatchPath') : (batcher.MaxItemsPerBatch ?? 0),
    'MaxItemsPerBatch',
  );
  let maxBytes = limit(
    batcher.MaxInputBytesPerBatchPath !== undefined ? readPath(input, batcher.MaxInputBytesPerBatchPath, 'MaxInputBytesPerBatchPath') : (batcher.MaxInputBytesPerBatch ?? 0),
    'MaxInputBytesPerBatch',
  );
  if (maxBytes === 0 || maxBytes > MAX_PAYLOAD_BYTES) maxBytes = MAX_PAYLOAD_BYTES;
  const base = batchInput === undefined ? { Items: [] } : { BatchInput: batchInput, Items: [] };
  const baseBytes = Buffer.byteLength(JSON.stringify(base), 'utf8');
  const batches: unknown[][] = [];
  let current: unknown[] = [];
  let bytes = baseBytes;
  for (const item of items) {
    const itemBytes = Buffer.byteLength(JSON.stringify(item ?? null), 'utf8') + (current.length ? 1 : 0);
    if (baseBytes + itemBytes > maxBytes) {
      throw new StatesError('States.DataLimitExceeded', `One item is larger than MaxInputBytesPerBatch (${maxBytes} bytes) on its own.`);
    }
    if (current.length && ((maxItems && current.length >= maxItems) || bytes + itemBytes > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = baseBytes;
    }
    current.push(item);
    bytes += Buffer.byteLength(JSON.stringify(item ?? null), 'utf8') + (current.length > 1 ? 1 : 0);
  }
  if (current.length) batches.push(current);
  return batches.map((Items) => (batchInput === undefined ? { Items } : { BatchInput: batchInput, Items }));
}
