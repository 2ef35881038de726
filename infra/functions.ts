// One Lambda per catalog entry, each with its own role, log group and the catalog's limits.
import { Construct } from 'constructs';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { LambdaLayerVersion } from '@cdktf/provider-aws/lib/lambda-layer-version';
import { assertReservedConcurrency, kebabName, type FunctionSpec, type LayerName } from '../handlers/catalog-types';
import { resourceName, type StackConfig } from './config';
import { codeLocation, functionZipPath, type ArtifactContext } from './artifacts';
import { assumeRolePolicy, functionPolicy } from './iam-policies';
import { functionEnvironment, LAMBDA_ARCHITECTURE, LAMBDA_HANDLER, LAMBDA_RUNTIME } from './lambda-runtime';

const NAME_LIMIT = 64;

export interface DeployedFunction {
  spec: FunctionSpec;
  fn: LambdaFunction;
  /** Deployed name, known at synth time (dashboards and alarms use it). */
  functionName: string;
}

export interface FunctionsInput {
  config: StackConfig;
  catalog: readonly FunctionSpec[];
  distDir: string;
  artifacts: ArtifactContext;
  layers: Partial<Record<LayerName, LambdaLayerVersion>>;
  bucket: { name: string; arn: string };
  table: { name: string; arn: string };
  /** The deploying account (a Terraform reference): the only one Lambda may assume the roles for. */
  accountId: string;
}

export function defineFunctions(scope: Construct, input: FunctionsInput): Record<string, DeployedFunction> {
  const deployed: Record<string, DeployedFunction> = {};
  for (const spec of input.catalog) {
    deployed[spec.name] = defineFunction(scope, spec, input);
  }
  return deployed;
}

function defineFunction(scope: Construct, spec: FunctionSpec, input: FunctionsInput): DeployedFunction {
  const { config } = input;
  const id = `fn-${kebabName(spec.name)}`;
  const functionName = resourceName(config, kebabName(spec.name));
  if (functionName.length > NAME_LIMIT) {
    throw new Error(`Function name "${functionName}" for catalog entry ${spec.name} is longer than ${NAME_LIMIT}: shorten LONGHAUL_PREFIX or LONGHAUL_STACK`);
  }
  assertReservedConcurrency(spec);
  const environment = functionEnvironment(spec, input.bucket.name, input.table.name, config.maxConcurrency);

  // Created up front with a retention, so Lambda does not create it on first run with none.
  const logGroup = new CloudwatchLogGroup(scope, `${id}-logs`, {
    name: `/aws/lambda/${functionName}`,
    retentionInDays: config.logRetentionDays,
  });
  const role = new IamRole(scope, `${id}-role`, {
    name: functionName,
    description: `Lambda ${spec.name}: only the S3 prefixes and table access its catalog entry lists`,
    assumeRolePolicy: JSON.stringify(assumeRolePolicy('lambda.amazonaws.com', { account: input.accountId })),
  });
  const policy = new IamRolePolicy(scope, `${id}-policy`, {
    name: 'catalog-access',
    role: role.id,
    policy: JSON.stringify(functionPolicy({ spec, bucketArn: input.bucket.arn, tableArn: input.table.arn, logGroupArn: logGroup.arn })),
  });

  const layerArns = spec.layers.map((layer) => {
    const version = input.layers[layer];
    if (!version) throw new Error(`Catalog entry ${spec.name} uses layer "${layer}", which the stack did not build`);
    return version.arn;
  });
  const fn = new LambdaFunction(scope, id, {
    functionName,
    description: spec.description.slice(0, 256),
    role: role.arn,
    runtime: LAMBDA_RUNTIME,
    architectures: [LAMBDA_ARCHITECTURE],
    handler: LAMBDA_HANDLER,
    ...codeLocation(scope, id, functionZipPath(input.distDir, spec.name), input.artifacts, 'make build'),
    memorySize: spec.memoryMb,
    timeout: spec.timeoutSeconds,
    // Unset leaves Lambda's default (-1, no reservation).
    reservedConcurrentExecutions: spec.reservedConcurrency,
    ephemeralStorage: { size: spec.ephemeralStorageMb },
    layers: layerArns,
    environment: { variables: environment },
    tracingConfig: { mode: 'Active' },
    loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
    dependsOn: [logGroup, policy],
  });
  return { spec, fn, functionName };
}

