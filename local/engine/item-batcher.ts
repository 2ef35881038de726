// Distributed Map ItemBatcher: groups items into `{ BatchInput?, Items }` child inputs, bounded by count and bytes.
import { StatesError } from './errors';
import { MAX_PAYLOAD_BYTES } from './quotas';

export interface BatchLimits {
  /** Items per batch; 0: no count limit. */
  maxItems: number;
  /** Bytes of a batch's JSON; 0 (or more than 256 KiB): 256 KiB. */
  maxBytes: number;
}

export function batchItems(items: unknown[], limits: BatchLimits, batchInput: unknown): unknown[] {
  const maxItems = limits.maxItems;
  const maxBytes = limits.maxBytes === 0 || limits.maxBytes > MAX_PAYLOAD_BYTES ? MAX_PAYLOAD_BYTES : limits.maxBytes;
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
