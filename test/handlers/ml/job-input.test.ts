// The ML job's input (defaults decided once, the CLI's comma lists, strictness) and the function flag
// that sets the training function's timeout for a local run.
import { expect } from 'chai';
import { mlJobSchema } from '../../../handlers/ml/job-input';
import { mlFunctions, mlPipeline, TRAIN_TIMEOUT_SECONDS } from '../../../handlers/ml/pipeline';
import { applyFunctionFlags, definePipeline } from '../../../handlers/pipeline';
import { pipelineHelp } from '../../../local/cli/run-help';

const base = { jobId: 'j1', input: { key: 'jobs/j1/input/source.csv' }, label: 'Species' };

describe('handlers/ml/job-input', () => {
  it('fills every default in one place', () => {
    const job = mlJobSchema.parse(base);
    expect(job).to.deep.include({ hidden: [64, 32], optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 50, patience: 5, seed: 1, trials: 1, turnsPerExecution: 1000 });
    expect(job.features).to.equal(undefined);
    expect(job.task).to.equal(undefined);
  });

  it("reads the CLI's comma lists: --hidden 16,8 and --features a,b:categorical", () => {
    const job = mlJobSchema.parse({ ...base, hidden: '16, 8', features: 'Island,Sex:categorical,Body Mass (g):numeric' });
    expect(job.hidden).to.deep.equal([16, 8]);
    expect(job.features).to.deep.equal(['Island', { name: 'Sex', kind: 'categorical' }, { name: 'Body Mass (g)', kind: 'numeric' }]);
    expect(mlJobSchema.parse({ ...base, hidden: '' }).hidden).to.deep.equal([]);
  });

  it('refuses bad values naming the field, unknown fields, and an input outside the job', () => {
    const fields = (raw: unknown) => {
      const r = mlJobSchema.safeParse(raw);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(fields({ ...base, hidden: '64,x' })).to.deep.equal(['hidden.1']);
    expect(fields({ ...base, features: 'a,,b' })).to.deep.equal(['features']);
    expect(fields({ ...base, optimizer: 'rmsprop', trials: 0 })).to.deep.equal(['optimizer', 'trials']);
    expect(fields({ ...base, epoch: 3 })).to.deep.equal(['']);
    expect(fields({ ...base, input: { key: 'jobs/other/input/x.csv' } })).to.deep.equal(['input.key']);
  });
});

describe('--train-timeout-seconds (a function flag)', () => {
  it("sets only the training function's timeout", () => {
    const applied = applyFunctionFlags(mlFunctions, mlPipeline.cli.functionFlags, { 'train-timeout-seconds': 1.5 });
    expect(applied.map((f) => [f.name, f.timeoutSeconds])).to.deep.equal([
      ['MlPrepare', 900],
      ['MlTrain', 1.5],
      ['MlEvaluate', 900],
    ]);
    expect(applyFunctionFlags(mlFunctions, mlPipeline.cli.functionFlags, {})).to.deep.equal(mlFunctions);
  });

  it('is listed by longhaul run ml --help with the catalog value as its default', () => {
    expect(pipelineHelp(mlPipeline)).to.match(new RegExp(`--train-timeout-seconds <number>\\s+.*Default ${TRAIN_TIMEOUT_SECONDS}\\.`));
  });

  it('must name a function of its pipeline', () => {
    expect(() =>
      definePipeline({
        ...mlPipelineDefinitionParts(),
        cli: { ...mlPipelineDefinitionParts().cli, functionFlags: [{ name: 'x', functionName: 'Nope', setting: 'timeoutSeconds', help: '' }] },
      }),
    ).to.throw(/--x sets Nope, which is not one of its functions/);
  });
});

function mlPipelineDefinitionParts() {
  return {
    name: 'ml-test',
    description: 'd',
    asl: 'asl/ml.asl.json',
    functions: mlFunctions,
    job: mlJobSchema,
    output: mlJobSchema,
    units: { name: 'epoch', functionName: 'MlTrain' },
    cli: { uploads: [], flags: [], outputHelp: '', defaultOutput: () => '', outputFiles: () => [] },
    summarize: () => ({ facts: [], details: [], ok: true }),
  };
}
