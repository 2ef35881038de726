// The real pipelines and catalog, whatever they contain today.
import { resolve } from 'node:path';
import { expect } from 'chai';
import { catalog, pipelines } from '../../handlers/catalog';
import { makeFakeDist, resourcesOf, synthStack, type FakeDist, type TerraformJson } from './synth-helpers';
import { assertStackInvariants } from './stack-invariants';

const root = resolve(import.meta.dirname, '..', '..');

describe('infra/stack (the project catalog and pipelines)', () => {
  let dist: FakeDist;
  let tf: TerraformJson;
  const machines = pipelines.map((p) => p.name);

  before(() => {
    dist = makeFakeDist(catalog);
    tf = synthStack({ catalog, stateMachines: pipelines.map((p) => ({ name: p.name, aslPath: resolve(root, p.asl) })), distDir: dist.dir });
  });
  after(() => dist.remove());

  it('deploys every catalog function and one state machine per pipeline, within the invariants', () => {
    assertStackInvariants(tf, catalog, machines);
  });

  it('has an output per state machine', () => {
    for (const machine of machines) expect(tf.output).to.have.property(`${machine.replace(/-/g, '_')}_state_machine_arn`);
    expect(Object.keys(resourcesOf(tf, 'aws_sfn_state_machine'))).to.have.lengthOf(machines.length);
  });
});
