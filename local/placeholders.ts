// The values the local runtime gives the `${Placeholder}`s of asl/ files (infra gives Terraform references instead).
import { arnPlaceholder, localFunctionArn, type FunctionSpec } from '../handlers/catalog-types';

export function localPlaceholders(opts: {
  functions: readonly FunctionSpec[];
  region: string;
  bucket: string;
  table: string;
}): Record<string, string> {
  const values: Record<string, string> = { DataBucket: opts.bucket, ProgressTable: opts.table };
  for (const fn of opts.functions) values[arnPlaceholder(fn.name)] = localFunctionArn(fn.name, opts.region);
  return values;
}
