// The CDKTF app: `cdktf synth` (or `make synth`) runs this to write cdktf.out/stacks/<stack>/.
import { relative, resolve } from 'node:path';
import { App } from 'cdktf';
import { catalog, pipelines } from './handlers/catalog';
import { pipelineStateMachine } from './infra/asl-definition';
import { readStackConfig } from './infra/config';
import { defineLonghaulStack } from './infra/stack';

const root = import.meta.dirname;
const app = new App({ outdir: resolve(root, 'cdktf.out') });
const config = readStackConfig(process.env);
const terraformDir = resolve(app.outdir, 'stacks', config.stackName);
defineLonghaulStack(app, {
  config,
  catalog,
  stateMachines: pipelines.map((p) => pipelineStateMachine(p, root)),
  distDir: resolve(root, 'dist'),
  terraformDir,
  statePath: relative(terraformDir, resolve(root, 'terraform-state', `${config.stackName}.tfstate`)),
});
app.synth();
