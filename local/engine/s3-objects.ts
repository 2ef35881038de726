// Small S3 helpers for ItemReader and ResultWriter: read a whole object as text, write a JSON object.
// S3 failures surface as AWS does, States.ItemReaderFailed / States.ResultWriterFailed, with the S3 error in Cause.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StatesError } from './errors';

export function s3Error(err: unknown, errorName: 'States.ItemReaderFailed' | 'States.ResultWriterFailed', what: string): StatesError {
  const e = err as Error & { $metadata?: { httpStatusCode?: number } };
  return new StatesError(errorName, `${what}: S3.${e.name}: ${e.message} (Service: S3, Status Code: ${e.$metadata?.httpStatusCode ?? 0})`);
}

export async function readObjectText(s3: S3Client, bucket: string, key: string): Promise<string> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await out.Body!.transformToString('utf8');
  } catch (err) {
    throw s3Error(err, 'States.ItemReaderFailed', `reading s3://${bucket}/${key}`);
  }
}

export async function writeObjectText(s3: S3Client, bucket: string, key: string, body: string): Promise<number> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
    return Buffer.byteLength(body, 'utf8');
  } catch (err) {
    throw s3Error(err, 'States.ResultWriterFailed', `writing s3://${bucket}/${key}`);
  }
}
