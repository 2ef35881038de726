// The real catalog and asl/ folder, whatever they contain today.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { catalog } from '../../handlers/catalog';
import { ASL_SUFFIX } from '../../infra/asl-definition';
import { makeFakeDist, resourcesOf, synthStack, type FakeDist, type TerraformJson } from './synth-helpers';
import { assertStackInvariants } from './stack-invariants';

const root = resolve(import.meta.dirname, '..', '..');
const aslDir = join(root, 'asl');

describe('infra/stack (the project catalog and asl/)', () => {
  let dist: FakeDist;
  let tf: TerraformJson;
  const machines = existsSync(aslDir) ? readdirSync(aslDir).filter((f) => f.endsWith(ASL_SUFFIX)).map((f) => f.slice(0, -ASL_SUFFIX.length)) : [];

  before(() => {
    dist = makeFakeDist(catalog);
    tf = synthStack({ catalog, aslDir, distDir: dist.dir });
  });
  after(() => dist.remove());

  it('deploys every catalog function and one state machine per ASL file, within the invariants', () => {
    assertStackInvariants(tf, catalog, machines);
  });

  it('has an output per state machine', () => {
    for (const machine of machines) expect(tf.output).to.have.property(`${machine.replace(/-/g, '_')}_state_machine_arn`);
    expect(Object.keys(resourcesOf(tf, 'aws_sfn_state_machine'))).to.have.lengthOf(machines.length);
  });
});
