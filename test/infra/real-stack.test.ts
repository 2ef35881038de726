// The real pipelines and catalog, whatever they contain today.
import { resolve } from 'node:path';
import { expect } from 'chai';
import { catalog, pipelines } from '../../handlers/catalog';
import { pipelineStateMachine } from '../../infra/asl-definition';
import { makeFakeDist, resourcesOf, synthStack, type FakeDist, type TerraformJson } from './synth-helpers';
import { assertStackInvariants } from './stack-invariants';

const root = resolve(import.meta.dirname, '..', '..');

describe('infra/stack (the project catalog and pipelines)', () => {
  let dist: FakeDist;
  let tf: TerraformJson;
  const machines = pipelines.map((p) => p.name);

  before(() => {
    dist = makeFakeDist(catalog);
    tf = synthStack({ catalog, stateMachines: pipelines.map((p) => pipelineStateMachine(p, root)), distDir: dist.dir });
  });
  after(() => dist.remove());

  it('deploys every catalog function and one state machine per pipeline, within the invariants', () => {
    assertStackInvariants(tf, catalog, machines);
  });

  it('lets each machine read only the manifests its Distributed Maps take their items from', () => {
    const readers = (machine: string) => {
      const doc = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy')[`sm-${machine}-policy`]!.policy as string) as { Statement: { Sid: string; Action: string[]; Resource: string[] }[] };
      return doc.Statement.filter((s) => s.Sid.startsWith('ItemReader')).map((s) => [s.Action, s.Resource]);
    };
    const bucket = '${aws_s3_bucket.data-bucket.arn}';
    // The keys the planning tasks write the Map items to (handlers/video/keys.ts, handlers/etl/keys.ts).
    expect(readers('video')).to.deep.equal([[['s3:GetObject'], [`${bucket}/jobs/*/work/chunks.json`]]]);
    expect(readers('etl')).to.deep.equal([
      [['s3:GetObject'], [`${bucket}/jobs/*/work/ranges.json`]],
      [['s3:GetObject'], [`${bucket}/jobs/*/work/partitions.json`]],
    ]);
    expect(readers('ml')).to.deep.equal([]);
  });

  it('has an output per state machine', () => {
    for (const machine of machines) expect(tf.output).to.have.property(`${machine.replace(/-/g, '_')}_state_machine_arn`);
    expect(Object.keys(resourcesOf(tf, 'aws_sfn_state_machine'))).to.have.lengthOf(machines.length);
  });
});
