// A catalog function as Lambda's ListFunctions / GetFunction describe it once infra has deployed it:
// deployed name and ARN, runtime, handler, sizing, layers, role and environment, in AWS's field names.
import { resourceName } from '../../infra/config';
import { readConcurrencyCap } from '../../handlers/lib/concurrency-cap';
import { functionEnvironment, LAMBDA_ARCHITECTURE, LAMBDA_HANDLER, LAMBDA_RUNTIME } from '../../infra/lambda-runtime';
import { localArn } from '../local-arn';
import type { DeployedFunction, NamingConfig } from './deployed-names';

export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  Version: string;
  Environment: { Variables: Record<string, string> };
  TracingConfig: { Mode: string };
  Layers: { Arn: string }[];
  State: string;
  LastUpdateStatus: string;
  PackageType: string;
  Architectures: string[];
  EphemeralStorage: { Size: number };
  LoggingConfig: { LogFormat: string; LogGroup: string };
}

export interface ConfigurationContext {
  region: string;
  config: NamingConfig;
  bucket: string;
  table: string;
  /** When the server registered the functions: their LastModified. */
  deployedAt: Date;
}

/** Lambda's timestamp format: `2026-01-31T12:00:00.000+0000`. */
export function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

export function functionConfiguration(fn: DeployedFunction, ctx: ConfigurationContext): FunctionConfiguration {
  const { spec, functionName } = fn;
  return {
    FunctionName: functionName,
    FunctionArn: fn.functionArn,
    Runtime: LAMBDA_RUNTIME,
    // Infra gives each function a role of its own name.
    Role: localArn('iam', '', `role/${functionName}`),
    Handler: LAMBDA_HANDLER,
    Description: spec.description.slice(0, 256),
    Timeout: spec.timeoutSeconds,
    MemorySize: spec.memoryMb,
    LastModified: lambdaTimestamp(ctx.deployedAt),
    Version: '$LATEST',
    // The cap the workers get (local/lambda/worker-env.ts), from the server's environment.
    Environment: { Variables: functionEnvironment(spec, ctx.bucket, ctx.table, readConcurrencyCap()) },
    TracingConfig: { Mode: 'Active' },
    Layers: spec.layers.map((layer) => ({ Arn: localArn('lambda', ctx.region, `layer:${resourceName(ctx.config, layer)}:1`) })),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [LAMBDA_ARCHITECTURE],
    EphemeralStorage: { Size: spec.ephemeralStorageMb },
    LoggingConfig: { LogFormat: 'JSON', LogGroup: `/aws/lambda/${functionName}` },
  };
}
