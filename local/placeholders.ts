// The values the local runtime gives the `${Placeholder}`s of asl/ files (infra gives Terraform references instead).
import { placeholderValues } from '../handlers/asl-placeholders';
import type { FunctionSpec } from '../handlers/catalog-types';
import { localFunctionArn } from './local-arn';

export function localPlaceholders(opts: {
  functions: readonly FunctionSpec[];
  region: string;
  bucket: string;
  table: string;
}): Record<string, string> {
  const functionArns = Object.fromEntries(opts.functions.map((fn) => [fn.name, localFunctionArn(fn.name, opts.region)]));
  return placeholderValues({ functionArns, bucket: opts.bucket, table: opts.table });
}
