// A pipeline declared only in a test fixture (test/fixtures/pipelines/tally) synthesized beside the real
// ones: its functions, its state machine and a role that may invoke exactly its functions, from its
// declaration alone.
import { resolve } from 'node:path';
import { expect } from 'chai';
import { collectFunctions, pipelines } from '../../handlers/catalog';
import { pipelineStateMachine } from '../../infra/asl-definition';
import { tallyPipeline } from '../fixtures/pipelines/tally/pipeline';
import { assertStackInvariants } from './stack-invariants';
import { makeFakeDist, resourcesOf, synthStack, type FakeDist, type TerraformJson } from './synth-helpers';

const root = resolve(import.meta.dirname, '..', '..');

describe('infra/stack with a fixture pipeline added', () => {
  const all = [...pipelines, tallyPipeline];
  const catalog = collectFunctions(all);
  let dist: FakeDist;
  let tf: TerraformJson;

  before(() => {
    dist = makeFakeDist(catalog);
    tf = synthStack({ catalog, stateMachines: all.map((p) => pipelineStateMachine(p, root)), distDir: dist.dir });
  });
  after(() => dist.remove());

  it('deploys its functions and its state machine within the invariants every stack holds', () => {
    assertStackInvariants(tf, catalog, all.map((p) => p.name));
    const functions = Object.values(resourcesOf(tf, 'aws_lambda_function')).map((f) => f.function_name);
    expect(functions).to.include.members(['longhaul-dev-tally-plan', 'longhaul-dev-tally-sum', 'longhaul-dev-tally-report', 'longhaul-dev-record-failure']);
    expect(resourcesOf(tf, 'aws_sfn_state_machine')['sm-tally']?.name).to.equal('longhaul-dev-tally');
  });

  it('lets its state machine invoke exactly its own functions and the shared RecordFailure', () => {
    const policy = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy')['sm-tally-policy']!.policy as string) as {
      Statement: { Sid: string; Resource: string[] }[];
    };
    const invoke = policy.Statement.find((s) => s.Sid === 'InvokeOwnFunctions')!;
    const names = invoke.Resource.filter((r) => !r.endsWith(':*')).map((r) => /aws_lambda_function\.fn-([a-z-]+)\.arn/.exec(r)?.[1]).sort();
    expect(names).to.deep.equal(['record-failure', 'tally-plan', 'tally-report', 'tally-sum']);
  });
});
