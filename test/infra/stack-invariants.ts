// Checks that must hold for ANY catalog and ASL folder: run on the fixtures and on the real project.
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { kebabName, type FunctionSpec } from '../../handlers/catalog-types';
import type { PolicyDocument, PolicyStatement } from '../../infra/iam-policies';
import { resourcesOf, type TerraformJson } from './synth-helpers';

const require = createRequire(import.meta.url);
const validateAsl = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (sep?: string) => string };

/** The deploying account and partition, as the stack refers to them (data sources read at plan time). */
export const ACCOUNT = '${data.aws_caller_identity.caller.account_id}';
export const PARTITION = '${data.aws_partition.partition.partition}';

const TF_REF = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}/g;

/** Terraform references in a definition replaced by sample values, so it reads as plain ASL. */
export function standInReferences(definition: string): string {
  return definition
    .replace(TF_REF, (ref, type: string, name: string, attr: string) => {
      if (type === 'aws_lambda_function' && attr === 'arn') return `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
      if (type === 'aws_s3_bucket' && attr === 'bucket') return `sample-${name}`;
      if (type === 'aws_dynamodb_table' && attr === 'name') return `sample-${name}`;
      throw new Error(`unexpected Terraform reference ${ref} in a state machine definition`);
    })
    .replace(/%%\{/g, '%{');
}

export function policies(tf: TerraformJson): { where: string; doc: PolicyDocument }[] {
  const found: { where: string; doc: PolicyDocument }[] = [];
  for (const [name, r] of Object.entries(resourcesOf(tf, 'aws_iam_role_policy'))) found.push({ where: `aws_iam_role_policy.${name}`, doc: JSON.parse(r.policy as string) });
  for (const [name, r] of Object.entries(resourcesOf(tf, 'aws_iam_role'))) found.push({ where: `aws_iam_role.${name}`, doc: JSON.parse(r.assume_role_policy as string) });
  for (const [name, r] of Object.entries(resourcesOf(tf, 'aws_s3_bucket_policy'))) found.push({ where: `aws_s3_bucket_policy.${name}`, doc: JSON.parse(r.policy as string) });
  for (const [name, r] of Object.entries(resourcesOf(tf, 'aws_sns_topic_policy'))) found.push({ where: `aws_sns_topic_policy.${name}`, doc: JSON.parse(r.policy as string) });
  return found;
}

/** The only actions AWS lets us grant on `*`: X-Ray, and the vended log delivery APIs. */
const STAR_RESOURCE_ACTIONS = new Set([
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets',
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
  'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
]);

export function functionPolicy(tf: TerraformJson, spec: FunctionSpec): PolicyStatement[] {
  const policy = resourcesOf(tf, 'aws_iam_role_policy')[`fn-${kebabName(spec.name)}-policy`];
  expect(policy, `role policy of ${spec.name}`).to.exist;
  return (JSON.parse(policy.policy as string) as PolicyDocument).Statement;
}

export function assertStackInvariants(tf: TerraformJson, catalog: readonly FunctionSpec[], machines: readonly string[]): void {
  const region = tf.provider.aws[0]!.region;
  const lambdas = resourcesOf(tf, 'aws_lambda_function');
  const layers = resourcesOf(tf, 'aws_lambda_layer_version');
  expect(Object.keys(lambdas)).to.have.lengthOf(catalog.length);

  for (const spec of catalog) {
    const id = `fn-${kebabName(spec.name)}`;
    const fn = lambdas[id];
    expect(fn, `Lambda for ${spec.name}`).to.exist;
    expect(fn.runtime, spec.name).to.equal('nodejs22.x');
    expect(fn.memory_size, spec.name).to.equal(spec.memoryMb);
    expect(fn.timeout, spec.name).to.equal(spec.timeoutSeconds);
    expect(fn.ephemeral_storage, spec.name).to.deep.equal({ size: spec.ephemeralStorageMb });
    expect(fn.tracing_config, spec.name).to.deep.equal({ mode: 'Active' });
    expect(fn.layers, spec.name).to.deep.equal(spec.layers.map((l) => `\${aws_lambda_layer_version.layer-${l}.arn}`));
    for (const layer of spec.layers) expect(layers[`layer-${layer}`], `layer ${layer}`).to.exist;
    const env = (fn.environment as { variables: Record<string, string> }).variables;
    expect(env.LONGHAUL_BUCKET).to.equal('${aws_s3_bucket.data-bucket.bucket}');
    expect(env.LONGHAUL_TABLE).to.equal('${aws_dynamodb_table.progress-table.name}');
    expect(env.LONGHAUL_MAX_CONCURRENCY, `${spec.name}: the stack's concurrency cap`).to.match(/^[1-9]\d*$/);
    for (const [key, value] of Object.entries(spec.env ?? {})) expect(env[key], `${spec.name} env ${key}`).to.equal(value);
    expect(Object.keys(env)).to.have.lengthOf(3 + Object.keys(spec.env ?? {}).length);
    expect(fn.reserved_concurrent_executions, `${spec.name} reserved concurrency`).to.equal(spec.reservedConcurrency);

    // The hash is computed by Terraform from the very file deployed.
    const file = (fn.filename as string | undefined) ?? (resourcesOf(tf, 'aws_s3_object')[`${id}-artifact`]?.source as string);
    expect(file, `${spec.name} code location`).to.match(new RegExp(`functions/${spec.name}\\.zip$`));
    expect(fn.source_code_hash).to.equal(`\${filebase64sha256("${file}")}`);

    const logGroup = resourcesOf(tf, 'aws_cloudwatch_log_group')[`${id}-logs`];
    expect(logGroup.name).to.equal(`/aws/lambda/${fn.function_name as string}`);
    expect(logGroup.retention_in_days).to.be.a('number');
    expect(fn.logging_config).to.deep.include({ log_group: `\${aws_cloudwatch_log_group.${id}-logs.name}` });
    expect(fn.role).to.equal(`\${aws_iam_role.${id}-role.arn}`);
    // Lambda may assume the role only for this account (confused deputy).
    const trust = JSON.parse(resourcesOf(tf, 'aws_iam_role')[`${id}-role`].assume_role_policy as string) as PolicyDocument;
    expect(trust.Statement.map((s) => s.Condition)).to.deep.equal([{ StringEquals: { 'aws:SourceAccount': ACCOUNT } }]);

    assertFunctionReachesOnlyItsPrefixes(functionPolicy(tf, spec), spec);
  }

  const stateMachines = resourcesOf(tf, 'aws_sfn_state_machine');
  expect(Object.keys(stateMachines).sort()).to.deep.equal(machines.map((m) => `sm-${m}`).sort());
  for (const [name, sm] of Object.entries(stateMachines)) {
    expect(sm.type).to.equal('STANDARD');
    expect(sm.tracing_configuration).to.deep.equal({ enabled: true });
    expect(sm.logging_configuration).to.deep.include({ log_destination: `\${aws_cloudwatch_log_group.${name}-logs.arn}:*` });
    const definition = sm.definition as string;
    // Every ${...} left is a reference to one of this stack's own resources; no ASL placeholder survives.
    const refs = [...definition.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
    for (const ref of refs) {
      const [type, resource, attr] = ref.split('.');
      expect(attr, `reference \${${ref}} in ${name}`).to.be.a('string');
      expect(tf.resource[type]?.[resource], `\${${ref}} in ${name} names a resource of this stack`).to.exist;
    }
    expect(definition).not.to.match(/arn:aws:lambda:/, 'no hard-coded function ARNs');
    const lambdaRefs = refs.filter((r) => r.startsWith('aws_lambda_function.')).map((r) => r.split('.')[1]);
    for (const ref of lambdaRefs) expect(lambdas, `${name} references ${ref}`).to.have.property(ref);

    const asl = JSON.parse(standInReferences(definition));
    const result = validateAsl(asl);
    expect(result.isValid, `${name}: ${result.errorsText()}`).to.equal(true);

    // Step Functions may assume its role only for this account's state machines in the stack's region.
    const trust = JSON.parse(resourcesOf(tf, 'aws_iam_role')[`${name}-role`].assume_role_policy as string) as PolicyDocument;
    expect(trust.Statement.map((s) => s.Condition)).to.deep.equal([
      { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:${PARTITION}:states:${region}:${ACCOUNT}:stateMachine:*` } },
    ]);

    // Its role invokes exactly the functions its definition references.
    const role = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy')[`${name}-policy`].policy as string) as PolicyDocument;
    const invoked = role.Statement.filter((s) => s.Action.includes('lambda:InvokeFunction')).flatMap((s) => s.Resource ?? []);
    const expected = [...new Set(lambdaRefs)].flatMap((r) => [`\${aws_lambda_function.${r}.arn}`, `\${aws_lambda_function.${r}.arn}:*`]);
    expect([...invoked].sort()).to.deep.equal(expected.sort());
  }

  // An artifact's version id is known only once versioning is on: written before, the next refresh replaces
  // the layer or function that references it.
  for (const [name, object] of Object.entries(resourcesOf(tf, 'aws_s3_object'))) {
    expect(object.depends_on, `aws_s3_object.${name}`).to.include('aws_s3_bucket_versioning.artifacts-bucket-versioning');
  }

  const roleNames = Object.values(resourcesOf(tf, 'aws_iam_role')).map((r) => r.name as string);
  expect(new Set(roleNames).size, 'role names are unique').to.equal(roleNames.length);
  expect(roleNames.every((n) => n.length <= 64), 'role names fit IAM’s 64 characters').to.equal(true);

  for (const { where, doc } of policies(tf)) {
    for (const statement of doc.Statement) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of statement.Action) {
        expect(action, `${where} ${statement.Sid ?? ''}`).not.to.equal('*');
        expect(action, `${where} ${statement.Sid ?? ''}: service-wide action`).not.to.match(/:\*$/);
      }
      if ((statement.Resource ?? []).includes('*')) {
        for (const action of statement.Action) expect(STAR_RESOURCE_ACTIONS.has(action), `${where}: ${action} on "*"`).to.equal(true);
      }
    }
  }
}

const S3_OBJECT_READ = ['s3:GetObject'];
const S3_OBJECT_WRITE = ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'];
const TABLE_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'];

function assertFunctionReachesOnlyItsPrefixes(statements: PolicyStatement[], spec: FunctionSpec): void {
  const bucket = '${aws_s3_bucket.data-bucket.arn}';
  const objectResources = (actions: string[]) =>
    statements.filter((s) => s.Action.some((a) => actions.includes(a))).flatMap((s) => s.Resource ?? []);
  expect(objectResources(S3_OBJECT_READ).sort(), `${spec.name} read`).to.deep.equal(spec.s3.read.map((p) => `${bucket}/${p}`).sort());
  expect(objectResources(S3_OBJECT_WRITE).sort(), `${spec.name} write`).to.deep.equal(spec.s3.write.map((p) => `${bucket}/${p}`).sort());
  for (const s of statements) {
    for (const resource of s.Resource ?? []) {
      // Only the data bucket itself (ListBucket) or keys under the catalog's prefixes.
      if (resource.startsWith(bucket)) {
        const rest = resource.slice(bucket.length);
        if (rest === '') expect(s.Action, `${spec.name}: bucket-level actions`).to.deep.equal(['s3:ListBucket']);
        else expect([...spec.s3.read, ...spec.s3.write].map((p) => `/${p}`), `${spec.name}: ${resource}`).to.include(rest);
      }
      expect(resource, `${spec.name}: no other bucket`).not.to.match(/^arn:aws:s3:::/);
    }
    if (s.Action.some((a) => a.startsWith('dynamodb:'))) {
      expect(spec.table, `${spec.name} table access`).not.to.equal('none');
      if (spec.table === 'read') expect(s.Action.filter((a) => TABLE_WRITES.includes(a)), `${spec.name} is read-only`).to.deep.equal([]);
    }
  }
  if (spec.table === 'none') expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith('dynamodb:'))).to.deep.equal([]);
}
