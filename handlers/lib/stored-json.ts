// A JSON document a pipeline wrote to S3 and reads back (a manifest, a plan), checked against its schema:
// missing means a task ran before the one that writes it; malformed means it was not written by us.
import type { z } from 'zod';
import { InputNotFound, InvalidInput } from './errors';
import { getJson } from './s3';

export async function readStoredJson<T>(key: string, schema: z.ZodType<T>, what: { missing: string; name: string }): Promise<T> {
  let raw: unknown;
  try {
    raw = await getJson<unknown>(key);
  } catch (err) {
    if (err instanceof InputNotFound) throw new InputNotFound(what.missing, { key });
    throw err;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InvalidInput(`${what.name} is malformed: ${parsed.error.message}`, { key });
  return parsed.data;
}
