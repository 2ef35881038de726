import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { readStackConfig } from '../../infra/config';
import { DIRECT_UPLOAD_LIMIT_BYTES } from '../../infra/artifacts';
import { fixtureCatalog } from './fixtures/catalog';
import { FIXTURES, makeFakeDist, resourcesOf, stateMachinesIn, synthStack, useFixtureStack, type TerraformJson } from './synth-helpers';
import { assertStackInvariants, functionPolicy, policies } from './stack-invariants';

describe('infra/stack (fixture catalog and ASL)', () => {
  const synthesized = useFixtureStack();
  let tf: TerraformJson;
  before(() => {
    tf = synthesized().tf;
  });

  it('holds the invariants every stack must hold', () => {
    assertStackInvariants(tf, fixtureCatalog, ['pipeline', 'report']);
  });

  it('names resources from prefix and stack and reads config from the environment', () => {
    const other = makeFakeDist(fixtureCatalog);
    try {
      const config = readStackConfig({ LONGHAUL_STACK: 'prod', LONGHAUL_PREFIX: 'acme', AWS_REGION: 'eu-west-1', LONGHAUL_ALARM_EMAIL: 'ops@example.com' });
      const prod = synthStack({ catalog: fixtureCatalog, stateMachines: stateMachinesIn(join(FIXTURES, 'asl')), distDir: other.dir, config });
      expect(resourcesOf(prod, 'aws_lambda_function')['fn-fixture-probe'].function_name).to.equal('acme-prod-fixture-probe');
      expect(resourcesOf(prod, 'aws_sfn_state_machine')['sm-pipeline'].name).to.equal('acme-prod-pipeline');
      expect(prod.provider.aws[0]!.region).to.equal('eu-west-1');
      expect(prod.output.region.value, 'the README’s commands pass it as --region').to.equal('eu-west-1');
      expect(resourcesOf(prod, 'aws_sns_topic_subscription')['alarm-email']).to.deep.include({ protocol: 'email', endpoint: 'ops@example.com' });
      expect(resourcesOf(tf, 'aws_sns_topic_subscription')).to.deep.equal({}, 'no subscription without an e-mail');
    } finally {
      other.remove();
    }
  });

  it('uploads zips over 50 MB through the artifacts bucket and the others directly', () => {
    const ffmpeg = resourcesOf(tf, 'aws_lambda_layer_version')['layer-ffmpeg'];
    const object = resourcesOf(tf, 'aws_s3_object')['layer-ffmpeg-artifact'];
    expect(ffmpeg.filename).to.equal(undefined);
    expect(ffmpeg.s3_bucket).to.equal('${aws_s3_object.layer-ffmpeg-artifact.bucket}');
    expect(ffmpeg.s3_object_version).to.equal('${aws_s3_object.layer-ffmpeg-artifact.version_id}');
    expect(object.bucket).to.equal('${aws_s3_bucket.artifacts-bucket.bucket}');
    expect(object.source).to.match(/layers\/ffmpeg\.zip$/);
    expect(object.source_hash).to.equal(`\${filemd5("${object.source as string}")}`);
    // Written only once versioning is on, so it has the version id the layer refers to from the start.
    expect(object.depends_on).to.deep.equal(['aws_s3_bucket_versioning.artifacts-bucket-versioning']);
    expect(ffmpeg.source_code_hash).to.equal(`\${filebase64sha256("${object.source as string}")}`);
    const tfjs = resourcesOf(tf, 'aws_lambda_layer_version')['layer-tfjs'];
    expect(tfjs.filename).to.match(/layers\/tfjs\.zip$/);
    expect(tfjs.compatible_runtimes).to.deep.equal(['nodejs22.x']);
    expect(Object.keys(resourcesOf(tf, 'aws_s3_object'))).to.deep.equal(['layer-ffmpeg-artifact']);
    expect(DIRECT_UPLOAD_LIMIT_BYTES).to.equal(52_428_800);
  });

  it('gives every function the stack’s concurrency cap, and reserved concurrency only where the catalog asks', () => {
    const envOf = (stack: TerraformJson, id: string) => (resourcesOf(stack, 'aws_lambda_function')[id]!.environment as { variables: Record<string, string> }).variables;
    for (const id of Object.keys(resourcesOf(tf, 'aws_lambda_function'))) {
      expect(envOf(tf, id).LONGHAUL_MAX_CONCURRENCY, `${id}: the default cap`).to.equal('50');
      expect(resourcesOf(tf, 'aws_lambda_function')[id]!, `${id}: no reservation by default`).not.to.have.property('reserved_concurrent_executions');
    }
    const reserving = fixtureCatalog.map((spec) => (spec.name === 'FixtureChunk' ? { ...spec, reservedConcurrency: 5 } : spec));
    const other = makeFakeDist(reserving);
    try {
      const capped = synthStack({ catalog: reserving, stateMachines: stateMachinesIn(join(FIXTURES, 'asl')), distDir: other.dir, config: readStackConfig({ LONGHAUL_MAX_CONCURRENCY: '20' }) });
      const lambdas = resourcesOf(capped, 'aws_lambda_function');
      expect(Object.values(lambdas).map((fn) => (fn.environment as { variables: Record<string, string> }).variables.LONGHAUL_MAX_CONCURRENCY)).to.deep.equal(['20', '20', '20']);
      expect(lambdas['fn-fixture-chunk']!.reserved_concurrent_executions).to.equal(5);
      expect(lambdas['fn-fixture-probe']).not.to.have.property('reserved_concurrent_executions');
      for (const bad of [0, 2.5, -1]) {
        const catalog = fixtureCatalog.map((spec) => (spec.name === 'FixtureChunk' ? { ...spec, reservedConcurrency: bad } : spec));
        expect(() => synthStack({ catalog, stateMachines: stateMachinesIn(join(FIXTURES, 'asl')), distDir: other.dir }), String(bad)).to.throw(
          `Catalog entry FixtureChunk: reservedConcurrency must be a whole number of at least 1 (or unset), got ${bad}`,
        );
      }
    } finally {
      other.remove();
    }
  });

  it('blocks public access, enforces TLS, encrypts, versions and expires work/ in the data bucket', () => {
    for (const bucket of ['data-bucket', 'artifacts-bucket']) {
      expect(resourcesOf(tf, 'aws_s3_bucket_public_access_block')[`${bucket}-public-access-block`]).to.deep.include({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      const policy = JSON.parse(resourcesOf(tf, 'aws_s3_bucket_policy')[`${bucket}-policy`].policy as string);
      expect(policy.Statement).to.deep.include({
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*'],
        Resource: [`\${aws_s3_bucket.${bucket}.arn}`, `\${aws_s3_bucket.${bucket}.arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      const sse = resourcesOf(tf, 'aws_s3_bucket_server_side_encryption_configuration')[`${bucket}-encryption`];
      expect((sse.rule as { apply_server_side_encryption_by_default: { sse_algorithm: string } }[])[0].apply_server_side_encryption_by_default.sse_algorithm).to.equal('AES256');
      expect(resourcesOf(tf, 'aws_s3_bucket_versioning')[`${bucket}-versioning`].versioning_configuration).to.deep.equal({ status: 'Enabled' });
    }
    expect(resourcesOf(tf, 'aws_s3_bucket')['data-bucket'].force_destroy, 'job outputs survive a stray destroy').to.equal(false);
    expect(resourcesOf(tf, 'aws_s3_bucket')['artifacts-bucket'].force_destroy).to.equal(true);
    const rules = resourcesOf(tf, 'aws_s3_bucket_lifecycle_configuration')['data-bucket-lifecycle'].rule as Record<string, unknown>[];
    const work = rules.find((r) => r.id === 'expire-job-work');
    expect(work?.filter).to.deep.equal([{ and: [{ prefix: 'jobs/', tags: { 'longhaul-retention': 'work' } }] }]);
    expect(work?.expiration).to.deep.equal([{ days: 7 }]);
    const multipart = rules.find((r) => r.id === 'abort-incomplete-multipart-uploads');
    expect(multipart?.abort_incomplete_multipart_upload).to.deep.equal([{ days_after_initiation: 1 }]);
  });

  it('creates the progress table on demand with PITR, encryption and TTL from the shared schema', () => {
    const table = resourcesOf(tf, 'aws_dynamodb_table')['progress-table'];
    expect(table).to.deep.include({ billing_mode: 'PAY_PER_REQUEST', hash_key: 'pk', range_key: 'sk', name: 'longhaul-dev-progress' });
    expect(table.point_in_time_recovery).to.deep.equal({ enabled: true });
    expect(table.server_side_encryption).to.deep.equal({ enabled: true });
    expect(table.ttl).to.deep.equal({ attribute_name: 'expiresAt', enabled: true });
  });

  it('grants the Distributed Map machine its manifest, result prefix, children and table action, and nothing to the simple one', () => {
    const pipeline = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy')['sm-pipeline-policy'].policy as string);
    const bySid = Object.fromEntries(pipeline.Statement.map((s: { Sid: string }) => [s.Sid, s]));
    expect(bySid.ItemReader0).to.deep.include({ Action: ['s3:GetObject'], Resource: ['${aws_s3_bucket.data-bucket.arn}/jobs/*'] });
    expect(bySid.ResultWriter0.Resource).to.deep.equal(['${aws_s3_bucket.data-bucket.arn}/results/*']);
    expect(bySid.StartOwnChildren.Resource).to.deep.equal([
      'arn:${data.aws_partition.partition.partition}:states:us-east-1:${data.aws_caller_identity.caller.account_id}:stateMachine:longhaul-dev-pipeline',
    ]);
    expect(bySid.ManageOwnChildren.Action).to.deep.equal(['states:DescribeExecution', 'states:StopExecution']);
    expect(bySid.ProgressTable).to.deep.include({ Action: ['dynamodb:UpdateItem'], Resource: ['${aws_dynamodb_table.progress-table.arn}'] });

    const report = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy')['sm-report-policy'].policy as string);
    const sids = report.Statement.map((s: { Sid: string }) => s.Sid);
    expect(sids).to.deep.equal(['InvokeOwnFunctions', 'LogDelivery', 'XRay']);
  });

  it('keeps Terraform from reading a literal %{ in ASL as a template directive', () => {
    const definition = resourcesOf(tf, 'aws_sfn_state_machine')['sm-pipeline'].definition as string;
    expect(definition).to.include('%%{not-a-terraform-directive}');
  });

  it('alarms on failed executions, throttles and a p99 duration past 80% of each timeout', () => {
    const alarms = resourcesOf(tf, 'aws_cloudwatch_metric_alarm');
    for (const spec of fixtureCatalog) {
      const kebab = spec.name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
      const p99 = alarms[`alarm-${kebab}-p99-duration`];
      expect(p99).to.deep.include({ namespace: 'AWS/Lambda', metric_name: 'Duration', extended_statistic: 'p99', threshold: spec.timeoutSeconds * 800 });
      expect(alarms[`alarm-${kebab}-throttles`]).to.deep.include({ metric_name: 'Throttles', threshold: 1 });
    }
    expect(alarms['alarm-pipeline-ExecutionsFailed']).to.deep.include({
      namespace: 'AWS/States',
      threshold: 1,
      dimensions: { StateMachineArn: '${aws_sfn_state_machine.sm-pipeline.arn}' },
      alarm_actions: ['${aws_sns_topic.alarm-topic.arn}'],
    });
    const body = JSON.parse(resourcesOf(tf, 'aws_cloudwatch_dashboard').dashboard.dashboard_body as string);
    const metrics = JSON.stringify(body.widgets.map((w: { properties: { metrics: unknown } }) => w.properties.metrics));
    for (const needed of ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionTime', 'Duration', 'Errors', 'Throttles', '"p50"', '"p95"', '"p99"']) {
      expect(metrics).to.include(needed);
    }
  });

  it('outputs state machine ARNs, bucket, table and dashboard URL', () => {
    expect(tf.output.pipeline_state_machine_arn.value).to.equal('${aws_sfn_state_machine.sm-pipeline.arn}');
    expect(tf.output.report_state_machine_arn.value).to.equal('${aws_sfn_state_machine.sm-report.arn}');
    expect(tf.output.data_bucket.value).to.equal('${aws_s3_bucket.data-bucket.bucket}');
    expect(tf.output.progress_table.value).to.equal('${aws_dynamodb_table.progress-table.name}');
    expect(tf.output.dashboard_url.value).to.equal(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=longhaul-dev-operations',
    );
  });

  it('scopes each fixture role to its own catalog entry', () => {
    const report = functionPolicy(tf, fixtureCatalog[2]);
    expect(report.flatMap((s) => s.Action)).not.to.include('s3:GetObject');
    expect(report.flatMap((s) => s.Action)).not.to.include('s3:ListBucket');
    expect(report.flatMap((s) => s.Action).filter((a) => a.startsWith('dynamodb:'))).to.deep.equal([]);
    expect(policies(tf).length).to.be.greaterThan(10);
  });

  it('fails synthesis on a placeholder the catalog does not define, naming file and placeholder', () => {
    expect(() => synthStack({ catalog: fixtureCatalog, stateMachines: stateMachinesIn(join(FIXTURES, 'asl-bad')), distDir: synthesized().distDir })).to.throw(
      /unknown\.asl\.json: unknown placeholder\(s\) \$\{NotInCatalogArn\}/,
    );
  });

  it('fails synthesis when a zip is missing, naming it and the command that builds it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'longhaul-empty-dist-'));
    try {
      expect(() => synthStack({ catalog: fixtureCatalog, stateMachines: stateMachinesIn(join(FIXTURES, 'asl')), distDir: empty })).to.throw(/Missing .*layers\/ffmpeg\.zip: run `make layers`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
