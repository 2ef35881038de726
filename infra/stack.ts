// Assembles the whole deployment from its inputs: configuration, the function catalog, the ASL folder
// and the built zips. Tests pass fixture catalogs and ASL folders; main.ts passes the real ones.
import { TerraformOutput, TerraformStack } from 'cdktf';
import { OUTPUT_NAMES, stateMachineOutputName } from './output-names';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import type { FunctionSpec } from '../handlers/catalog-types';
import type { StackConfig } from './config';
import { loadAslFile, type StateMachineSource } from './asl-definition';
import { defineArtifactsBucket, defineDataBucket, defineProgressTable } from './storage';
import { defineLayers } from './layers';
import { defineFunctions } from './functions';
import { defineStateMachines } from './state-machines';
import { defineMonitoring } from './monitoring';
import { defineFailureEvents } from './failure-events';
import { defineStateBackend } from './state-backend';

export interface LonghaulStackInput {
  config: StackConfig;
  catalog: readonly FunctionSpec[];
  /** One state machine each (main.ts: one per pipeline). */
  stateMachines: readonly StateMachineSource[];
  /** Holds functions/<Name>.zip and layers/<layer>.zip. */
  distDir: string;
  /** The folder Terraform runs in (cdktf.out/stacks/<stack>): artifact paths are relative to it. */
  terraformDir: string;
  /**
   * Where Terraform keeps state when no state bucket is configured, relative to terraformDir; outside
   * cdktf.out so `make clean` cannot lose it.
   */
  statePath?: string;
}

export function defineLonghaulStack(scope: Construct, input: LonghaulStackInput): TerraformStack {
  const { config, catalog } = input;
  assertUnique('function', catalog.map((f) => f.name));
  assertUnique('state machine', input.stateMachines.map((m) => m.name));
  const aslFiles = input.stateMachines.map(loadAslFile);
  const stack = new TerraformStack(scope, config.stackName);
  defineStateBackend(stack, config, input.statePath);
  new AwsProvider(stack, 'aws', {
    region: config.region,
    defaultTags: [{ tags: { project: 'longhaul', 'longhaul:stack': config.stackName } }],
  });
  const partition = new DataAwsPartition(stack, 'partition');
  const caller = new DataAwsCallerIdentity(stack, 'caller');
  const arnPrefix = (service: string) => `arn:${partition.partition}:${service}:${config.region}:${caller.accountId}:`;

  const dataBucket = defineDataBucket(stack, config);
  const artifactsBucket = defineArtifactsBucket(stack, config);
  const table = defineProgressTable(stack, config);
  const artifacts = { terraformDir: input.terraformDir, artifactsBucket };
  const layers = defineLayers(stack, config, catalog, input.distDir, artifacts);
  const tableRef = { name: table.name, arn: table.arn };
  const accountId = caller.accountId;
  const functions = defineFunctions(stack, { config, catalog, distDir: input.distDir, artifacts, layers, bucket: dataBucket, table: tableRef, accountId });
  const stateMachines = defineStateMachines(stack, { config, aslFiles, functions, bucket: dataBucket, table: tableRef, arnPrefix, accountId });
  const monitoring = defineMonitoring(stack, { config, functions: Object.values(functions), stateMachines });
  defineFailureEvents(stack, { config, stateMachines, topic: monitoring.topic, arnPrefix });

  for (const { machine, stateMachine } of stateMachines) {
    new TerraformOutput(stack, stateMachineOutputName(machine), { value: stateMachine.arn });
  }
  new TerraformOutput(stack, OUTPUT_NAMES.region, { value: config.region });
  new TerraformOutput(stack, OUTPUT_NAMES.dataBucket, { value: dataBucket.name });
  new TerraformOutput(stack, OUTPUT_NAMES.artifactsBucket, { value: artifactsBucket.name });
  new TerraformOutput(stack, OUTPUT_NAMES.progressTable, { value: table.name });
  new TerraformOutput(stack, OUTPUT_NAMES.dashboardUrl, { value: monitoring.dashboardUrl });
  new TerraformOutput(stack, OUTPUT_NAMES.alarmTopicArn, { value: monitoring.topic.arn });
  new TerraformOutput(stack, OUTPUT_NAMES.functionNames, {
    value: Object.values(functions).map((f) => f.functionName),
  });
  return stack;
}

function assertUnique(what: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`The stack lists ${what} "${name}" twice`);
    seen.add(name);
  }
}
