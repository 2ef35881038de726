// The check that predict and Evaluate agree: penguins through the real Prepare (local S3), a
// model scored on the test split by evaluateModel and exported to S3, then `longhaul predict` on the
// test split's raw rows, taken from the original CSV by the shards' row numbers.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadToFile, getJson, putBuffer } from '../../../handlers/lib/s3';
import { jobKeys } from '../../../handlers/lib/storage-layout';
import { datasetLayoutSchema } from '../../../handlers/ml/dataset-layout';
import { evaluateModel } from '../../../handlers/ml/evaluate/evaluate-model';
import { exportModel } from '../../../handlers/ml/evaluate/model-export';
import { prepareDataset } from '../../../handlers/ml/prepare-dataset';
import { readShard } from '../../../handlers/ml/shard-store';
import { initBackend } from '../../../handlers/ml/train/backend';
import { createPredictCommand } from '../../../local/ml/predict-command';
import { useLocalServices } from '../../support/services';
import { tinyModel } from '../../handlers/ml/evaluate/tiny-model';
import { toCsv, vegaRecords } from '../../handlers/ml/vega-data';

describe('local/ml/predict on the test split', () => {
  useLocalServices();
  let dir: string;
  before(async () => {
    await initBackend();
    dir = mkdtempSync(join(tmpdir(), 'predict-split-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the predictions Evaluate computed for the same rows', async () => {
    const jobId = 'ml-predict-split';
    const records = vegaRecords('penguins.json');
    const csv = toCsv(records);
    const inputKey = jobKeys.input(jobId, 'penguins.csv');
    await putBuffer(inputKey, csv);
    const summary = await prepareDataset({ jobId, input: { key: inputKey }, dataset: { label: 'Species', shardRows: 16 } });
    const layout = datasetLayoutSchema.parse(await getJson(summary.layoutKey));
    expect(layout.test.shards.length).to.be.greaterThan(1); // shard by shard, for real

    const model = tinyModel(layout.width, layout.classes, 5, 'classification');
    const evaluation = await evaluateModel(model, layout, readShard, 'test', summary.classes);

    // The folder `longhaul run ml` downloads: the exported model and preprocessing.json.
    const modelDir = join(dir, 'out');
    mkdirSync(join(modelDir, 'model'), { recursive: true });
    const keys = { modelJsonKey: jobKeys.output(jobId, 'model/model.json'), weightsKey: jobKeys.output(jobId, 'model/weights.bin') };
    await exportModel(model, keys);
    await downloadToFile(keys.modelJsonKey, join(modelDir, 'model', 'model.json'));
    await downloadToFile(keys.weightsKey, join(modelDir, 'model', 'weights.bin'));
    await downloadToFile(summary.preprocessingKey, join(modelDir, 'preprocessing.json'));

    // The test split's raw rows, in split order: file row k is records[k - 2].
    const rowNumbers: number[] = [];
    for (const key of layout.test.shards) rowNumbers.push(...(await readShard(key)).rowNumbers!);
    const testCsv = join(dir, 'test-rows.csv');
    writeFileSync(testCsv, toCsv(rowNumbers.map((n) => records[n - 2]!), Object.keys(records[0]!)));

    const err: string[] = [];
    const command = createPredictCommand({ stdout: () => {}, stderr: (t) => err.push(t) });
    const output = join(dir, 'predictions.csv');
    expect(await command.run(['--model', modelDir, '--input', testCsv, '--output', output]), err.join('')).to.equal(0);
    const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
    expect(lines[0]).to.equal(['row', 'Species', ...summary.classes.map((c) => `p(${c})`)].join(','));
    expect(lines.length - 1).to.equal(layout.test.rows);
    const k = layout.classes;
    lines.slice(1).forEach((line, r) => {
      const [row, label, ...probs] = line.split(',');
      expect(row).to.equal(String(r + 2));
      const want = [...evaluation.outputs.subarray(r * k, (r + 1) * k)];
      probs.forEach((p, c) => expect(Math.fround(Number(p))).to.be.closeTo(want[c]!, 1e-6));
      expect(label).to.equal(summary.classes[want.indexOf(Math.max(...want))]);
    });
    model.dispose();
  });
});
