// `longhaul predict` end to end: a model folder as `longhaul run ml` leaves it, raw CSV rows in, CSV out.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { RawRow } from '../../../handlers/ml/dataset-values';
import { modelArtifacts } from '../../../handlers/ml/evaluate/model-export';
import { encodeRows, type Preprocessing } from '../../../handlers/ml/preprocessing';
import { initBackend } from '../../../handlers/ml/train/backend';
import { UsageError } from '../../../local/cli/command';
import { createPredictCommand } from '../../../local/ml/predict-command';
import { rejection } from '../../support/rejection';
import { tinyModel } from '../../handlers/ml/evaluate/tiny-model';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..', '..');

const penguins: Preprocessing = {
  version: 1,
  task: 'classification',
  missingValues: ['', 'NA', '.'],
  features: [
    { name: 'bill', kind: 'numeric', mean: 44, std: 5, impute: 44 },
    { name: 'island', kind: 'categorical', levels: ['Biscoe', 'Dream', 'Torgersen'], impute: 'Biscoe' },
    { name: 'mass', kind: 'numeric', mean: 4200, std: 800, impute: 4200 },
  ],
  width: 5,
  label: { name: 'species', kind: 'categorical', classes: ['Adelie', 'Chinstrap, the "bearded"', 'Gentoo'] },
};

const cars: Preprocessing = {
  version: 1,
  task: 'regression',
  missingValues: ['', 'NA', '.'],
  features: [
    { name: 'hp', kind: 'numeric', mean: 100, std: 40, impute: 100 },
    { name: 'cyl', kind: 'categorical', levels: ['4', '6', '8'], impute: '4' },
  ],
  width: 4,
  label: { name: 'mpg', kind: 'numeric', classes: [] },
};

// Raw rows as the test writes them to CSV; the columns around the features are there to be ignored.
const penguinRows: RawRow[] = [
  { bill: '39.1', island: 'Torgersen', mass: '3750' },
  { bill: '', island: 'Dream', mass: '3800' }, // missing bill: imputed
  { bill: '50.5', island: 'Biscoe', mass: '5400' },
  { bill: '46', island: 'Atlantis', mass: 'NA' }, // unseen level, missing mass
  { bill: ' 42.0 ', island: 'Dream', mass: '4100' },
];

function penguinCsv(): string {
  const lines = ['id,island,species,bill,mass,note'];
  penguinRows.forEach((r, i) => lines.push(`${i + 1},${r.island},Adelie,${r.bill},${r.mass},"a, quoted note"`));
  return lines.join('\n') + '\n';
}

/** A folder laid out as `longhaul run ml` downloads one. */
async function writeModelDir(dir: string, model: tf.LayersModel, p: Preprocessing): Promise<void> {
  const files = await modelArtifacts(model);
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeFileSync(join(dir, 'model', 'model.json'), files.modelJson);
  writeFileSync(join(dir, 'model', 'weights.bin'), files.weights);
  writeFileSync(join(dir, 'preprocessing.json'), JSON.stringify(p));
}

/** What the model gives for the rows, encoded in the test by the shared encoder from the raw values. */
function expectedOutputs(model: tf.LayersModel, p: Preprocessing, rows: RawRow[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(encodeRows(p, rows), [rows.length, p.width])) as tf.Tensor).dataSync() as Float32Array);
}

/** RFC 4180 fields of one line (enough for the output's quoting). */
function csvLine(line: string): string[] {
  const fields: string[] = [];
  const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (const m of line.matchAll(re)) fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
  return fields;
}

function harness() {
  const out: string[] = [];
  const err: string[] = [];
  const command = createPredictCommand({ stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { run: (...argv: string[]) => command.run(argv), out, err: () => err.join('') };
}

describe('local/ml/predict (longhaul predict)', () => {
  let dir: string;
  let classifier: tf.LayersModel;
  let regressor: tf.LayersModel;
  const modelDir = () => join(dir, 'penguins-model');
  const input = () => join(dir, 'rows.csv');

  before(async () => {
    await initBackend();
    dir = mkdtempSync(join(tmpdir(), 'predict-'));
    classifier = tinyModel(5, 3, 31, 'classification');
    await writeModelDir(modelDir(), classifier, penguins);
    regressor = tinyModel(4, 1, 32, 'regression');
    await writeModelDir(join(dir, 'cars-model'), regressor, cars);
    writeFileSync(input(), penguinCsv());
  });
  after(() => {
    classifier.dispose();
    regressor.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('classification: row number, class, one probability per class, equal to the model on the same encoded rows', async () => {
    const h = harness();
    const output = join(dir, 'predictions.csv');
    expect(await h.run('--model', modelDir(), '--input', input(), '--output', output)).to.equal(0);
    const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
    expect(csvLine(lines[0]!)).to.deep.equal(['row', 'species', 'p(Adelie)', 'p(Chinstrap, the "bearded")', 'p(Gentoo)']);
    const expected = expectedOutputs(classifier, penguins, penguinRows);
    expect(lines).to.have.length(1 + penguinRows.length);
    lines.slice(1).forEach((line, r) => {
      const [row, label, ...probs] = csvLine(line);
      expect(row).to.equal(String(r + 2)); // the header is row 1
      const want = [...expected.subarray(3 * r, 3 * r + 3)];
      expect(probs.map((p) => Math.fround(Number(p)))).to.deep.equal(want);
      expect(label).to.equal(penguins.label.classes[want.indexOf(Math.max(...want))]);
    });
    // Not every row the same class: the comparison above would otherwise prove little.
    expect(new Set(lines.slice(1).map((l) => csvLine(l)[1])).size).to.be.greaterThan(1);
    expect(h.err()).to.match(/scored 5 rows/);
    expect(h.err()).to.match(/imputed from training: bill 1, mass 1/);
    expect(h.err()).to.match(/not seen in training .*: island 1/);
    expect(h.out).to.deep.equal([]);
  });

  it('regression: the predicted value under the label name, to stdout without --output', async () => {
    const rows: RawRow[] = [
      { hp: '130', cyl: '8' },
      { hp: '', cyl: '4' },
      { hp: '95', cyl: '6' },
    ];
    const csv = join(dir, 'cars.csv');
    writeFileSync(csv, 'name,hp,cyl\n' + rows.map((r, i) => `car ${i},${r.hp},${r.cyl}`).join('\n') + '\n');
    const h = harness();
    expect(await h.run('--model', join(dir, 'cars-model'), '--input', csv)).to.equal(0);
    const lines = h.out.join('').trimEnd().split('\n');
    expect(lines[0]).to.equal('row,mpg');
    const expected = expectedOutputs(regressor, cars, rows);
    const fields = lines.slice(1).map(csvLine);
    expect(fields.map((f) => f.length)).to.deep.equal([2, 2, 2]);
    expect(fields.map((f) => f[0])).to.deep.equal(['2', '3', '4']);
    expect(fields.map((f) => Math.fround(Number(f[1])))).to.deep.equal([...expected]);
  });

  it('exits 2 naming the problem: no model folder, no weights, preprocessing.json unreadable or invalid, a feature column absent, text in a numeric feature', async () => {
    const broken = (name: string, change: (d: string) => void) => {
      const d = join(dir, name);
      rmSync(d, { recursive: true, force: true });
      mkdirSync(join(d, 'model'), { recursive: true });
      for (const f of ['model/model.json', 'model/weights.bin', 'preprocessing.json']) writeFileSync(join(d, f), readFileSync(join(modelDir(), f)));
      change(d);
      return d;
    };
    const cases: [string[], RegExp][] = [
      [['--model', join(dir, 'missing'), '--input', input()], /Model folder not found: .*missing/],
      [['--model', broken('no-weights', (d) => rmSync(join(d, 'model/weights.bin'))), '--input', input()], /Weights file not found: .*weights\.bin/],
      [['--model', broken('no-prep', (d) => rmSync(join(d, 'preprocessing.json'))), '--input', input()], /preprocessing\.json not found/],
      [['--model', broken('bad-json', (d) => writeFileSync(join(d, 'preprocessing.json'), '{"version": 1,')), '--input', input()], /preprocessing\.json is not valid JSON/],
      [['--model', broken('bad-prep', (d) => writeFileSync(join(d, 'preprocessing.json'), JSON.stringify({ ...penguins, width: 7 }))), '--input', input()], /not a valid preprocessing\.json: width/],
      [['--model', broken('other-model', (d) => writeFileSync(join(d, 'preprocessing.json'), JSON.stringify(cars))), '--input', input()], /not from the same job/],
      [['--model', modelDir(), '--input', join(dir, 'no-such.csv')], /File not found: .*no-such\.csv/],
    ];
    const lacking = join(dir, 'lacking.csv');
    writeFileSync(lacking, 'bill,island\n40,Dream\n');
    cases.push([['--model', modelDir(), '--input', lacking], /lacks the feature column\(s\) "mass"/]);
    const text = join(dir, 'text.csv');
    writeFileSync(text, 'bill,island,mass\n40,Dream,4000\n41,Dream,heavy\n');
    cases.push([['--model', modelDir(), '--input', text], /"mass".*row 3.*"heavy"|"mass".*"heavy".*row 3/]);
    for (const [argv, message] of cases) {
      const h = harness();
      expect(await h.run(...argv), argv.join(' ')).to.equal(2);
      expect(h.err()).to.match(/^longhaul predict: /);
      expect(h.err()).to.match(message);
      expect(h.out).to.deep.equal([]);
    }
  });

  it('refuses missing options as usage errors (exit 2 through the CLI)', async () => {
    expect(await rejection(harness().run('--input', input()))).to.be.instanceOf(UsageError);
    expect(await rejection(harness().run('--model', modelDir()))).to.be.instanceOf(UsageError);
  });

  it('is a longhaul command: the CLI prints the same predictions', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(repo, 'local/cli/main.ts'), 'predict', '--model', modelDir(), '--input', input()], { cwd: repo, timeout: 60_000 });
    expect(stdout).to.equal(readFileSync(join(dir, 'predictions.csv'), 'utf8'));
  });
});
