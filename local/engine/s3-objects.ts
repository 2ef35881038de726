// Small S3 helpers for ItemReader and ResultWriter: read a whole object as text, write a JSON object.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StatesError } from './errors';

function s3Error(err: unknown, what: string): StatesError {
  const e = err as Error & { $metadata?: { httpStatusCode?: number } };
  return new StatesError(`S3.${e.name}`, `${what}: ${e.message} (Service: S3, Status Code: ${e.$metadata?.httpStatusCode ?? 0})`);
}

export async function readObjectText(s3: S3Client, bucket: string, key: string): Promise<string> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await out.Body!.transformToString('utf8');
  } catch (err) {
    throw s3Error(err, `reading s3://${bucket}/${key}`);
  }
}

export async function writeObjectText(s3: S3Client, bucket: string, key: string, body: string): Promise<number> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
    return Buffer.byteLength(body, 'utf8');
  } catch (err) {
    throw s3Error(err, `writing s3://${bucket}/${key}`);
  }
}
