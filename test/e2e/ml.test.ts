// The ML pipeline end to end: asl/ml.asl.json on our engine, every task in its own Lambda worker (real
// TensorFlow.js, wasm), against local S3 and DynamoDB, on real data from vega-datasets. A job trained in
// many short tasks (an epoch split across them) that also continues in fresh executions must end with
// the same bytes as one trained in one task; the exported model must load with tfjs's own loader and
// score the test split as metrics.json says.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { getJob } from '../../handlers/lib/progress';
import { getJson } from '../../handlers/lib/s3';
import { datasetKeys } from '../../handlers/ml/dataset-keys';
import { datasetLayoutSchema } from '../../handlers/ml/dataset-layout';
import { argmax } from '../../handlers/ml/evaluate/metrics';
import { mlKeys } from '../../handlers/ml/keys';
import { readSplit } from '../../handlers/ml/shard-store';
import type { TrainingState } from '../../handlers/ml/train/training-state';
import { DIE_ONCE_ENV } from '../fixtures/functions/ml-train-dies-once';
import { failureOf } from '../support/etl';
import { loadDownloadedModel, readMetrics, runMl, shortTrainFunction, succeeded, useMlStack, vegaCsv, withTrainAs, type MlRun } from '../support/ml';

const dir = await mkdtemp(join(tmpdir(), 'longhaul-e2e-ml-'));
const SHORT_TIMEOUT_SECONDS = 1.5;
const shortTrain = shortTrainFunction(SHORT_TIMEOUT_SECONDS);
const diesOnce = {
  ...shortTrainFunction(SHORT_TIMEOUT_SECONDS, 'MlTrainDiesOnce'),
  entry: 'test/fixtures/functions/ml-train-dies-once.ts',
  env: { [DIE_ONCE_ENV]: join(dir, 'died-once.json') },
};

type TrainPayload = { done: boolean; phase: string; batch: number; epoch: number };
const payloads = (run: MlRun): TrainPayload[] =>
  run.outcomes.filter((o): o is Extract<typeof o, { ok: true }> => o.ok).map((o) => o.payload as TrainPayload);

describe('ML pipeline end to end', function () {
  this.timeout(120_000);
  const localStack = useMlStack([shortTrain, diesOnce]);
  after(() => rm(dir, { recursive: true, force: true }));

  let penguins: string;
  before(async () => {
    penguins = await vegaCsv(dir, 'penguins.json', 'penguins.csv');
  });

  describe('penguins (species from bill, flipper, mass, island, sex; missing values)', () => {
    const settings = { label: 'Species', learningRate: 0.01, epochs: 30, patience: 5 };
    const outDir = join(dir, 'penguins');
    let run: MlRun;
    before(async function () {
      this.timeout(120_000);
      run = await runMl(localStack(), { input: penguins, settings, jobId: 'ml-penguins', outDir });
    });

    it('succeeds with test accuracy ≥ 0.95, every output downloaded', async () => {
      const output = succeeded(run);
      expect(output.headline.name).to.equal('accuracy');
      expect(output.headline.value).to.be.at.least(0.95);
      for (const file of ['model/model.json', 'model/weights.bin', 'preprocessing.json', 'metrics.json', 'curves.svg']) {
        expect((await stat(join(outDir, file))).size, file).to.be.greaterThan(0);
      }
      const svg = await readFile(join(outDir, 'curves.svg'), 'utf8');
      expect(svg).to.match(/<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.trimEnd()).to.match(/<\/svg>$/);
    });

    it('metrics.json: task, test metrics with a confusion matrix over the test split, epochs, best epoch, train tasks, backend', async () => {
      const m = await readMetrics(outDir);
      expect(m.task).to.equal('classification');
      if (!('accuracy' in m.test)) throw new Error('expected classification metrics');
      console.log(`      penguins: accuracy ${m.test.accuracy.toFixed(4)}, log loss ${m.test.logLoss.toFixed(4)}, ${m.epochs} epochs (best ${m.bestEpoch}), ${run.summary.wallMs} ms`);
      expect(m.test.accuracy).to.equal(run.output!.headline.value);
      expect(m.test.logLoss).to.be.a('number').and.to.be.above(0);
      expect(m.test.classes).to.deep.equal(['Adelie', 'Chinstrap', 'Gentoo']);
      const confusion = m.test.confusion;
      expect(confusion.flat().reduce((a, b) => a + b, 0)).to.equal(m.rows.test);
      const correct = confusion.reduce((n, row, i) => n + row[i]!, 0);
      expect(m.test.accuracy).to.equal(correct / m.rows.test);
      expect(m.rows.train + m.rows.validation + m.rows.test).to.equal(344);
      expect(m.bestEpoch).to.be.within(1, m.epochs);
      expect(m.epochs).to.be.within(1, 30);
      if (m.epochs < 30) expect(m.stopReason).to.equal('patience');
      expect(m.trainTasks).to.equal(run.outcomes.length);
      expect(m.backend).to.equal('wasm');
    });

    it('the exported model loads with tf.loadLayersModel and scores the test split as metrics.json says', async () => {
      const model = await loadDownloadedModel(outDir);
      const layout = datasetLayoutSchema.parse(await getJson(datasetKeys.layout(run.jobId)));
      const test = await readSplit(layout, 'test');
      const probabilities = tf.tidy(() => (model.predict(tf.tensor2d(test.features, [test.rows, test.width])) as tf.Tensor).dataSync());
      model.dispose();
      let correct = 0;
      for (let r = 0; r < test.rows; r++) if (argmax(probabilities, r * 3, 3) === test.labels[r]) correct += 1;
      const m = await readMetrics(outDir);
      if (!('accuracy' in m.test)) throw new Error('expected classification metrics');
      expect(correct / test.rows).to.equal(m.test.accuracy);
    });

    it('the progress table: SUCCEEDED, one unit per epoch trained, the live figures equal to metrics.json', async () => {
      const m = await readMetrics(outDir);
      const job = (await getJob(run.jobId))!;
      expect(job.status).to.equal('SUCCEEDED');
      expect(job.step).to.equal(`done: test accuracy ${run.output!.headline.value.toFixed(4)}`);
      expect([job.doneUnits, job.totalUnits]).to.deep.equal([m.epochs, m.epochs]);
      expect(job.figures.epochs).to.equal(m.epochs);
      expect(job.figures.trainTasks).to.equal(m.trainTasks);
      expect(job.figures.batches).to.equal(m.epochs * Math.ceil(m.rows.train / 32));
    });

    it('a re-run of the finished job redoes nothing and returns the same outputs', async () => {
      const before = await readFile(join(outDir, 'model/weights.bin'));
      const again = await runMl(localStack(), { input: penguins, settings, jobId: 'ml-penguins', outDir: join(dir, 'penguins-again') });
      expect(succeeded(again).reused).to.equal(true);
      expect(await readFile(join(dir, 'penguins-again/model/weights.bin'))).to.deep.equal(before);
      expect(await readFile(join(dir, 'penguins-again/metrics.json'), 'utf8')).to.equal(await readFile(join(outDir, 'metrics.json'), 'utf8'));
      // The loop is asked once and finds its checkpoint finished: no batch trained.
      expect(payloads(again).map((p) => p.done)).to.deep.equal([true]);
      expect((await getJob(run.jobId))!.figures.batches).to.equal((await readMetrics(outDir)).epochs * Math.ceil((await readMetrics(outDir)).rows.train / 32));
    });
  });

  describe('resume exactness: many short tasks and continued executions against one task (SGD)', () => {
    // Batches of 1 through a 256-128 network: 240 a training epoch, about half a short task's box;
    // early stopping ends it (patience 2) before the 20 epochs, so the best epoch is a decision both runs
    // must take alike.
    const settings = { label: 'Species', hidden: [256, 128], optimizer: 'sgd', learningRate: 0.03, batchSize: 1, epochs: 20, patience: 2, seed: 7 };
    let whole: MlRun;
    let short: MlRun;
    before(async function () {
      this.timeout(120_000);
      whole = await runMl(localStack(), { input: penguins, settings, jobId: 'ml-sgd-whole', outDir: join(dir, 'sgd-whole') });
      short = await runMl(withTrainAs(localStack(), shortTrain.name), {
        input: penguins,
        settings: { ...settings, turnsPerExecution: 1 },
        jobId: 'ml-sgd-short',
        outDir: join(dir, 'sgd-short'),
        observe: shortTrain.name,
      });
    });

    it('the short job takes several tasks, stops mid-epoch, and continues in fresh executions', () => {
      succeeded(whole);
      succeeded(short);
      expect(whole.outcomes).to.have.lengthOf(1);
      const turns = payloads(short);
      const durations = short.outcomes.map((o) => Math.round(o.durationMs));
      expect(turns.length, `turns (ms: ${durations.join(', ')})`).to.be.at.least(3);
      expect(turns.at(-1)!.done).to.equal(true);
      expect(turns.some((t) => !t.done && t.phase === 'train' && t.batch > 0), 'a task stopped inside an epoch').to.equal(true);
      // One turn per execution: every turn after the first runs in a continuation of the one before.
      expect(short.continuations).to.equal(turns.length - 1);
      expect(short.summary.byFunction.MlTrain, 'the 900 s function was not called').to.equal(undefined);
    });

    it('ends with bit-identical weights, the same best epoch and the same test metrics', async () => {
      const a = await readFile(join(dir, 'sgd-whole/model/weights.bin'));
      const b = await readFile(join(dir, 'sgd-short/model/weights.bin'));
      expect(b.equals(a), 'weights.bin bytes').to.equal(true);
      const [ma, mb] = [await readMetrics(join(dir, 'sgd-whole')), await readMetrics(join(dir, 'sgd-short'))];
      expect(ma.stopReason).to.equal('patience');
      expect(ma.bestEpoch).to.be.below(ma.epochs);
      expect([mb.bestEpoch, mb.epochs, mb.stopReason]).to.deep.equal([ma.bestEpoch, ma.epochs, ma.stopReason]);
      expect(mb.test).to.deep.equal(ma.test);
      expect(mb.trainTasks).to.be.at.least(3);
      console.log(`      SGD: ${mb.trainTasks} tasks and ${short.continuations} continuations (${short.summary.wallMs} ms) against 1 task (${whole.summary.wallMs} ms): same ${a.length} bytes, best epoch ${mb.bestEpoch} of ${mb.epochs}`);
      expect(short.output!.headline.value).to.be.at.least(0.95);
    });

    it('a worker killed after its checkpoint is retried from it: the same bytes, every epoch and batch counted once', async () => {
      const jobId = 'ml-sgd-killed';
      const killed = await runMl(withTrainAs(localStack(), diesOnce.name), { input: penguins, settings, jobId, outDir: join(dir, 'sgd-killed'), observe: diesOnce.name });
      succeeded(killed);
      const errors = killed.outcomes.filter((o) => !o.ok).map((o) => (o as Extract<typeof o, { ok: false }>).error.errorType);
      expect(errors).to.deep.equal(['Sandbox.Timedout']);
      // The dead invocation had trained and saved: its retry (same cursor) resumed past it.
      const dead = JSON.parse(await readFile(join(dir, 'died-once.json'), 'utf8')) as { done: boolean; cursor: { seq: number } };
      expect(dead.done).to.equal(false);
      const retried = payloads(killed)[0] as TrainPayload & { cursor: { seq: number } };
      expect(retried.cursor.seq).to.be.greaterThan(dead.cursor.seq);
      expect((await readFile(join(dir, 'sgd-killed/model/weights.bin'))).equals(await readFile(join(dir, 'sgd-whole/model/weights.bin'))), 'weights.bin bytes').to.equal(true);
      const m = await readMetrics(join(dir, 'sgd-killed'));
      const job = (await getJob(jobId))!;
      expect([job.doneUnits, job.figures.epochs, job.figures.batches]).to.deep.equal([m.epochs, m.epochs, m.epochs * m.rows.train]);
    });
  });

  it('Adam: many short tasks end within 1e-6 of one task, at the same best epoch', async () => {
    const settings = { label: 'Species', optimizer: 'adam', learningRate: 0.01, batchSize: 2, epochs: 6, patience: 50, seed: 3 };
    await runMl(localStack(), { input: penguins, settings, jobId: 'ml-adam-whole', outDir: join(dir, 'adam-whole') });
    const short = await runMl(withTrainAs(localStack(), shortTrain.name), { input: penguins, settings, jobId: 'ml-adam-short', outDir: join(dir, 'adam-short'), observe: shortTrain.name });
    succeeded(short);
    expect(payloads(short).length).to.be.at.least(2);
    const floats = async (name: string) => {
      const b = await readFile(join(dir, name, 'model/weights.bin'));
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    };
    const [a, b] = [await floats('adam-whole'), await floats('adam-short')];
    expect(b.length).to.equal(a.length);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    console.log(`      Adam: ${payloads(short).length} tasks against 1, largest weight difference ${max.toExponential(2)}`);
    expect(max).to.be.at.most(1e-6);
    expect((await readMetrics(join(dir, 'adam-short'))).bestEpoch).to.equal((await readMetrics(join(dir, 'adam-whole'))).bestEpoch);
  });

  it('--trials: trains each configuration in its own loop and evaluates the lowest validation loss', async () => {
    const outDir = join(dir, 'trials');
    const run = await runMl(localStack(), { input: penguins, settings: { label: 'Species', learningRate: 0.01, epochs: 8, trials: 3 }, jobId: 'ml-trials', outDir });
    succeeded(run);
    // The trials' own records, independent of Evaluate's ranking.
    const states = await Promise.all([0, 1, 2].map(async (t) => (await getJson<{ state: TrainingState }>(mlKeys.checkpoint(run.jobId, t))).state));
    const lowest = states.map((s, trial) => ({ trial, valLoss: s.best!.valLoss })).sort((a, b) => a.valLoss - b.valLoss)[0]!.trial;
    const board = JSON.parse(await readFile(join(outDir, 'trials.json'), 'utf8')) as { trial: number; rank: number; bestValLoss: number; config: TrainingState['config'] }[];
    expect(board.map((r) => r.rank)).to.deep.equal([1, 2, 3]);
    expect(board.map((r) => r.trial).sort()).to.deep.equal([0, 1, 2]);
    for (const row of board) {
      expect(row.bestValLoss, `trial ${row.trial}`).to.equal(states[row.trial]!.best!.valLoss);
      expect(row.config, `trial ${row.trial}`).to.deep.equal(states[row.trial]!.config);
    }
    expect(board[0]!.trial).to.equal(lowest);
    // Trial 0 is the job's own settings; the others differ from it.
    expect(states[0]!.config).to.deep.include({ hidden: [64, 32], learningRate: 0.01, batchSize: 32 });
    for (const t of [1, 2]) expect(states[t]!.config, `trial ${t}`).to.not.deep.equal(states[0]!.config);
    const m = await readMetrics(outDir);
    expect([m.trial, m.trials]).to.deep.equal([lowest, 3]);
    expect(m.bestEpoch).to.equal(states[lowest]!.best!.epoch + 1);
    const job = (await getJob(run.jobId))!;
    const epochs = states.reduce((n, st) => n + st.epoch, 0);
    expect([job.doneUnits, job.totalUnits, job.figures.epochs]).to.deep.equal([epochs, epochs, epochs]);
  });

  it('a bad dataset fails at Prepare with InvalidInput naming the column and row, before any training', async () => {
    const bad = await vegaCsv(dir, 'penguins.json', 'penguins-bad-mass.csv', (records) => {
      records[9]!['Body Mass (g)'] = 'heavy';
    });
    const run = await runMl(localStack(), {
      input: bad,
      settings: { label: 'Species', features: 'Island,Beak Length (mm),Body Mass (g):numeric' },
      jobId: 'ml-bad-dataset',
    });
    const failure = failureOf(run);
    expect(failure.error).to.equal('InvalidInput');
    expect(failure.message).to.include('Body Mass (g)');
    expect(failure.message).to.match(/row 11\b/);
    expect(run.outcomes, 'no training task ran').to.have.lengthOf(0);
    const job = (await getJob(run.jobId))!;
    expect([job.status, job.error]).to.deep.equal(['FAILED', 'InvalidInput']);
  });

  it('cars (miles per gallon; missing horsepower and mpg): test R² ≥ 0.75', async () => {
    const cars = await vegaCsv(dir, 'cars.json', 'cars.csv');
    const outDir = join(dir, 'cars');
    const run = await runMl(localStack(), {
      input: cars,
      settings: {
        label: 'Miles_per_Gallon',
        features: 'Cylinders,Displacement,Horsepower,Weight_in_lbs,Acceleration,Year,Origin',
        learningRate: 0.01,
        epochs: 60,
        patience: 8,
      },
      jobId: 'ml-cars',
      outDir,
    });
    const output = succeeded(run);
    const m = await readMetrics(outDir);
    if (!('r2' in m.test)) throw new Error('expected regression metrics');
    console.log(`      cars: R² ${m.test.r2.toFixed(4)}, RMSE ${m.test.rmse.toFixed(3)} mpg, MAE ${m.test.mae.toFixed(3)} mpg, ${m.epochs} epochs (best ${m.bestEpoch})`);
    expect(output.headline).to.deep.equal({ name: 'r2', value: m.test.r2 });
    expect(m.task).to.equal('regression');
    // 8 of the 406 rows have no mpg: dropped, never guessed.
    expect(m.rows.train + m.rows.validation + m.rows.test).to.equal(398);
    expect(m.test.r2).to.be.at.least(0.75);
  });
});
