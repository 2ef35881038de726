// Distributed Map ItemReader: items from a JSON array file, a JSON Lines file, a CSV file, or s3:listObjectsV2.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { csvItems, delimiterOf, parseCsvRows } from './csv-items';
import { StatesError } from './errors';
import { readObjectText, s3Error } from './s3-objects';
import type { ItemReaderDefinition } from './types';

/** The most items ReaderConfig.MaxItems may ask for. */
export const MAX_READER_ITEMS = 100_000_000;

function stringParam(params: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const value = params[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') throw new StatesError('States.Runtime', `ItemReader Parameters.${key} must be a string, got ${JSON.stringify(value)}.`);
  return value;
}

async function listObjects(s3: S3Client, bucket: string, prefix: string | undefined, limit: number): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })).catch((err: unknown) => {
      throw s3Error(err, 'States.ItemReaderFailed', `listing s3://${bucket}/${prefix ?? ''}`);
    });
    for (const o of page.Contents ?? []) {
      items.push({ Etag: o.ETag, Key: o.Key, LastModified: o.LastModified ? Math.floor(o.LastModified.getTime() / 1000) : undefined, Size: o.Size, StorageClass: o.StorageClass ?? 'STANDARD' });
      if (limit && items.length >= limit) return items;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return items;
}

function parseFile(text: string, reader: ItemReaderDefinition, bucket: string, key: string): unknown[] {
  const config = reader.ReaderConfig ?? {};
  const where = `s3://${bucket}/${key}`;
  switch (config.InputType ?? 'JSON') {
    case 'JSON': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new StatesError('States.ItemReaderFailed', `${where} is not valid JSON: ${(err as Error).message}`);
      }
      if (!Array.isArray(parsed)) throw new StatesError('States.ItemReaderFailed', `${where} must contain a JSON array.`);
      return parsed;
    }
    case 'JSONL':
      return text.split(/\r?\n/).filter((l) => l.trim() !== '').map((line, i) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          throw new StatesError('States.ItemReaderFailed', `${where} line ${i + 1} is not valid JSON.`);
        }
      });
    case 'CSV': {
      const rows = parseCsvRows(text, delimiterOf(config.CSVDelimiter));
      if (config.CSVHeaderLocation === 'GIVEN') {
        if (!config.CSVHeaders?.length) throw new StatesError('States.ItemReaderFailed', 'ReaderConfig.CSVHeaders is required when CSVHeaderLocation is GIVEN.');
        return csvItems(rows, config.CSVHeaders);
      }
      const [header, ...data] = rows;
      if (!header) return [];
      return csvItems(data, header);
    }
    default:
      throw new StatesError('States.Runtime', `ItemReader InputType ${config.InputType} is not supported locally.`);
  }
}

/**
 * The items a Distributed Map iterates, at most `limit` of them (0: all). `parameters` are the reader's Parameters
 * or Arguments, already evaluated.
 */
export async function readItems(s3: S3Client, reader: ItemReaderDefinition, parameters: Record<string, unknown>, limit: number): Promise<unknown[]> {
  const bucket = stringParam(parameters, 'Bucket', true)!;
  if (reader.Resource === 'arn:aws:states:::s3:listObjectsV2') {
    return listObjects(s3, bucket, stringParam(parameters, 'Prefix', false), limit);
  }
  const key = stringParam(parameters, 'Key', true)!;
  const items = parseFile(await readObjectText(s3, bucket, key), reader, bucket, key);
  return limit ? items.slice(0, limit) : items;
}
