// `longhaul run ml` as a user runs it: the real launcher, penguins as CSV, the whole local stack, and
// --train-timeout-seconds reaching the training function (the summary names its timeout).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCli } from '../../support/cli';
import { vegaCsv } from '../../support/ml';

describe('longhaul run ml', function () {
  this.timeout(180_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'longhaul-cli-run-ml-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('trains under the given train timeout, downloads the model and prints the test metric', async () => {
    const input = await vegaCsv(dir, 'penguins.json', 'penguins.csv');
    const output = join(dir, 'out');
    const r = await runCli(['run', 'ml', '--input', input, '--label', 'Species', '--epochs', '3', '--hidden', '16,8', '--learning-rate', '0.01', '--train-timeout-seconds', '1.5', '--output', output], dir);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^status\s+SUCCEEDED$/m);
    expect(r.stdout).to.match(/^test\s+accuracy \d\.\d{4} \(classification\)$/m);
    expect(r.stdout).to.match(/^longest task\s+MlTrain .* of its 1\.5 s timeout$/m);
    for (const file of ['model/model.json', 'model/weights.bin', 'preprocessing.json', 'metrics.json', 'curves.svg']) expect(existsSync(join(output, file)), file).to.equal(true);
    expect(r.stderr).to.match(/step done: test accuracy/);
  });

  it('refuses a train timeout that is not a positive number, with exit 2', async () => {
    const input = join(dir, 'penguins.csv');
    const r = await runCli(['run', 'ml', '--input', input, '--label', 'Species', '--train-timeout-seconds', '0'], dir);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--train-timeout-seconds must be a positive number, got "0"/);
  });
});
