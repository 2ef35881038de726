// One STANDARD state machine per asl/*.asl.json, with a role derived from what its definition uses.
import { Construct } from 'constructs';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { placeholderValues, substitutePlaceholders as substituteIn } from '../handlers/asl-placeholders';
import { resourceName, type StackConfig } from './config';
import { analyzeDefinition, escapeTerraformDirectives, substitutePlaceholders, withDeclaredReaderKeys, type AslFile } from './asl-definition';
import { assumeRolePolicy, stateMachinePolicy } from './iam-policies';
import type { DeployedFunction } from './functions';

const NAME_LIMIT = 64; // IAM role names; state machine names allow 80.

export interface DeployedStateMachine {
  machine: string;
  stateMachine: SfnStateMachine;
  stateMachineName: string;
}

export interface StateMachinesInput {
  config: StackConfig;
  aslFiles: readonly AslFile[];
  functions: Readonly<Record<string, DeployedFunction>>;
  bucket: { name: string; arn: string };
  table: { name: string; arn: string };
  /** `arn:<partition>:<service>:<region>:<account>:` builder, from data sources resolved at plan time. */
  arnPrefix: (service: 'states' | 'events') => string;
  /** The deploying account (a Terraform reference): the only one Step Functions may assume the roles for. */
  accountId: string;
}

export function defineStateMachines(scope: Construct, input: StateMachinesInput): DeployedStateMachine[] {
  return input.aslFiles.map((file) => defineStateMachine(scope, file, input));
}

function defineStateMachine(scope: Construct, file: AslFile, input: StateMachinesInput): DeployedStateMachine {
  const { config } = input;
  const id = `sm-${file.machine}`;
  const stateMachineName = resourceName(config, file.machine);
  // Suffixed so a machine can never share a role name with a function (`video-probe.asl.json` vs VideoProbe).
  const roleName = `${stateMachineName}-sfn`;
  if (roleName.length > NAME_LIMIT) {
    throw new Error(`Role name "${roleName}" for ${file.path} is longer than ${NAME_LIMIT}: shorten the file name, LONGHAUL_PREFIX or LONGHAUL_STACK`);
  }

  const functionArns = Object.fromEntries(Object.values(input.functions).map(({ spec, fn }) => [spec.name, fn.arn]));
  const values = placeholderValues({ functionArns, bucket: input.bucket.name, table: input.table.name });
  const definition = escapeTerraformDirectives(JSON.stringify(substitutePlaceholders(file, values)));
  const uses = analyzeDefinition(file, Object.keys(input.functions));
  const substitutedUses = {
    ...uses,
    // Literal ARNs in startExecution may carry placeholders too; substitute them like the definition.
    startExecution: uses.startExecution.map((s) => ({ ...s, stateMachineArn: substitute(s.stateMachineArn, values) })),
    // Run-time manifest keys narrowed to what the pipeline declares its Maps read.
    itemReaders: withDeclaredReaderKeys(file, uses.itemReaders).map((r) => ({ ...r, bucket: substitute(r.bucket, values), keyOrPrefix: substitute(r.keyOrPrefix, values) })),
    resultWriters: uses.resultWriters.map((w) => ({ ...w, bucket: substitute(w.bucket, values), keyOrPrefix: substitute(w.keyOrPrefix, values) })),
  };

  const statesArn = input.arnPrefix('states');
  const logGroup = new CloudwatchLogGroup(scope, `${id}-logs`, {
    // The vendedlogs prefix keeps CloudWatch's resource policy for Step Functions small.
    name: `/aws/vendedlogs/states/${stateMachineName}`,
    retentionInDays: config.logRetentionDays,
  });
  const role = new IamRole(scope, `${id}-role`, {
    name: roleName,
    description: `State machine ${file.machine}: invokes exactly its functions`,
    // AWS's documented form: any state machine of this account and region. Narrower would be guessing the
    // ARN a Map Run's child executions assume the role with; which machine gets the role is iam:PassRole's say.
    assumeRolePolicy: JSON.stringify(assumeRolePolicy('states.amazonaws.com', { account: input.accountId, arnLike: `${statesArn}stateMachine:*` })),
  });
  const policy = new IamRolePolicy(scope, `${id}-policy`, {
    name: 'definition-access',
    role: role.id,
    policy: JSON.stringify(
      stateMachinePolicy({
        uses: substitutedUses,
        functionArns,
        dataBucketName: input.bucket.name,
        dataBucketArn: input.bucket.arn,
        tableArn: input.table.arn,
        stateMachineArn: `${statesArn}stateMachine:${stateMachineName}`,
        executionArnBase: `${statesArn}execution:${stateMachineName}`,
        eventsRuleArnBase: `${input.arnPrefix('events')}rule/`,
      }),
    ),
  });

  const stateMachine = new SfnStateMachine(scope, id, {
    name: stateMachineName,
    type: 'STANDARD',
    roleArn: role.arn,
    definition,
    loggingConfiguration: { logDestination: `${logGroup.arn}:*`, includeExecutionData: true, level: 'ERROR' },
    tracingConfiguration: { enabled: true },
    // Step Functions checks the role can deliver logs when the machine is created.
    dependsOn: [policy],
  });
  return { machine: file.machine, stateMachine, stateMachineName };
}

function substitute(value: string | undefined, values: Record<string, string>): string | undefined {
  return value === undefined ? undefined : (substituteIn(value, values).value as string);
}
