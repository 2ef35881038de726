// Distributed Map ResultWriter: child execution results written to S3 in AWS's layout,
// `<Prefix>/<mapRunId>/manifest.json` plus `SUCCEEDED_0.json` / `FAILED_0.json` (only non-empty ones).
import type { S3Client } from '@aws-sdk/client-s3';
import { StatesError } from './errors';
import { writeObjectText } from './s3-objects';
import type { ExecutionResult } from './types';

export interface ChildRecord {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  input: unknown;
  result: ExecutionResult;
}

/** A child execution as AWS reports it with Transformation NONE (and for every failed child, whatever the Transformation). */
export function childEntry(child: ChildRecord): Record<string, unknown> {
  const r = child.result;
  const base: Record<string, unknown> = {
    ExecutionArn: child.executionArn,
    Input: JSON.stringify(child.input),
    InputDetails: { Included: true },
    Name: child.name,
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    RedriveStatusReason: r.status === 'SUCCEEDED' ? 'Execution is SUCCEEDED and cannot be redriven' : 'Execution is not redrivable locally',
    StartDate: r.startDate.toISOString(),
    StateMachineArn: child.stateMachineArn,
    Status: r.status,
    StopDate: r.stopDate.toISOString(),
  };
  if (r.status === 'SUCCEEDED') {
    base.Output = JSON.stringify(r.output ?? null);
    base.OutputDetails = { Included: true };
  } else {
    base.Error = r.error;
    base.Cause = r.cause;
  }
  return base;
}

export interface WrittenResults {
  bucket: string;
  manifestKey: string;
}

export async function writeResults(
  s3: S3Client,
  parameters: Record<string, unknown>,
  mapRunArn: string,
  children: ChildRecord[],
): Promise<WrittenResults> {
  if (typeof parameters.Bucket !== 'string') {
    throw new StatesError('States.ResultWriterFailed', `ResultWriter Parameters.Bucket must be a string, got ${JSON.stringify(parameters.Bucket)}.`);
  }
  const bucket = parameters.Bucket;
  const prefix = typeof parameters.Prefix === 'string' && parameters.Prefix !== '' ? parameters.Prefix.replace(/\/+$/, '') + '/' : '';
  const mapRunId = mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1);
  const dir = `${prefix}${mapRunId}/`;
  const groups: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', ChildRecord[]> = { SUCCEEDED: [], FAILED: [], PENDING: [] };
  for (const c of children) groups[c.result.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED'].push(c);
  const resultFiles: Record<string, { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  for (const status of ['SUCCEEDED', 'FAILED'] as const) {
    if (!groups[status].length) continue;
    const key = `${dir}${status}_0.json`;
    const size = await writeObjectText(s3, bucket, key, JSON.stringify(groups[status].map(childEntry)));
    resultFiles[status]!.push({ Key: key, Size: size });
  }
  const manifestKey = `${dir}manifest.json`;
  const manifest = { DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: resultFiles };
  // The manifest is written last: a reader that finds it can trust the files it lists.
  await writeObjectText(s3, bucket, manifestKey, JSON.stringify(manifest));
  return { bucket, manifestKey };
}
