// Prepare end to end against the local S3: real data (vega-datasets' penguins and cars, written as CSV
// and Parquet by the test), every figure checked against what the test computes from the JSON itself.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputNotFound, InvalidInput } from '../../../handlers/lib/errors';
import { getJson, getStream, putBuffer } from '../../../handlers/lib/s3';
import { jobKeys } from '../../../handlers/lib/storage-layout';
import { writeParquet } from '../../../handlers/etl/parquet-write';
import { datasetLayoutSchema, type DatasetLayout } from '../../../handlers/ml/dataset-layout';
import { SPLIT_NAMES, type SplitName } from '../../../handlers/ml/dataset-keys';
import type { DatasetRequest } from '../../../handlers/ml/dataset-request';
import { prepareDataset, type PrepareSummary } from '../../../handlers/ml/prepare-dataset';
import { parsePreprocessing, type Preprocessing } from '../../../handlers/ml/preprocessing';
import { encodeShard } from '../../../handlers/ml/shard-format';
import { readShard, readSplit, writeShards } from '../../../handlers/ml/shard-store';
import { useLocalServices } from '../../support/services';
import { duckRows, useDuckDb } from '../../support/duckdb';
import { rejection } from '../../support/rejection';
import { awkwardShard, sameBits } from './shard-samples';
import { meanStd, toCsv, vegaDataUrl, vegaRecords, type JsonRecord } from './vega-data';

interface Prepared {
  summary: PrepareSummary;
  layout: DatasetLayout;
  preprocessing: Preprocessing;
  /** Each split's rows in order, with their file row numbers, read back shard by shard. */
  splits: Record<SplitName, { features: Float32Array; labels: Float32Array; rowNumbers: number[] }>;
}

async function prepare(jobId: string, name: string, body: string | Buffer, dataset: DatasetRequest): Promise<Prepared> {
  const key = jobKeys.input(jobId, name);
  await putBuffer(key, body);
  const summary = await prepareDataset({ jobId, input: { key }, dataset });
  const layout = datasetLayoutSchema.parse(await getJson(summary.layoutKey));
  const preprocessing = parsePreprocessing(await getJson(summary.preprocessingKey), summary.preprocessingKey);
  const splits = {} as Prepared['splits'];
  for (const split of SPLIT_NAMES) {
    const whole = await readSplit(layout, split);
    const rowNumbers: number[] = [];
    for (const key of layout[split].shards) rowNumbers.push(...(await readShard(key)).rowNumbers!);
    splits[split] = { features: whole.features, labels: whole.labels, rowNumbers };
  }
  return { summary, layout, preprocessing, splits };
}

async function objectBytes(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await getStream(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The JSON record behind a CSV row number (the header is row 1). */
const recordAt = (records: readonly JsonRecord[], row: number) => records[row - 2]!;

const isAbsent = (v: JsonRecord[string] | undefined) => v === null || v === undefined || v === '.';

/** Most frequent value, the first in sorted order on a tie (what preprocessing documents). */
function mode(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

/**
 * Encodes a record the way preprocessing.json says to, computed here from the JSON: numeric features
 * from the given train statistics, categoricals against the given vocabulary.
 */
function expectRowEncoded(actual: Float32Array, record: JsonRecord, spec: { numeric: Record<string, { mean: number; std: number }>; categorical: Record<string, { levels: string[]; mode: string }>; order: string[] }): void {
  const expected: number[] = [];
  for (const name of spec.order) {
    const n = spec.numeric[name];
    if (n) expected.push(isAbsent(record[name]) ? 0 : ((record[name] as number) - n.mean) / n.std);
    else {
      const c = spec.categorical[name]!;
      const value = isAbsent(record[name]) ? c.mode : String(record[name]);
      expected.push(...c.levels.map((l) => (l === value ? 1 : 0)));
    }
  }
  expect(actual.length).to.equal(expected.length);
  expected.forEach((e, i) => expect(actual[i]).to.be.closeTo(e, 1e-5 * Math.max(1, Math.abs(e))));
}

describe('handlers/ml/prepare-dataset (against s3rver)', function () {
  this.timeout(60_000);
  useLocalServices();
  const duck = useDuckDb();

  const penguins = vegaRecords('penguins.json');
  const cars = vegaRecords('cars.json');
  const PENGUIN_NUMERIC = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
  const PENGUIN_FEATURES = [...PENGUIN_NUMERIC, 'Island', 'Sex'];
  const penguinRequest: DatasetRequest = { label: 'Species', task: 'classification', features: PENGUIN_FEATURES, batchSize: 16, seed: 7, shardRows: 50 };
  let csvRun: Prepared;

  before(async function () {
    this.timeout(60_000);
    csvRun = await prepare('penguins-csv', 'penguins.csv', toCsv(penguins), penguinRequest);
  });

  describe('penguins: species classification', () => {
    it('counts rows, imputations and classes as computed from the JSON', () => {
      const { summary } = csvRun;
      const species = [...new Set(penguins.map((p) => p.Species as string))].sort();
      expect(summary.task).to.equal('classification');
      expect(summary.rowsRead).to.equal(penguins.length);
      expect(summary.rowsDroppedMissingLabel).to.equal(penguins.filter((p) => isAbsent(p.Species)).length);
      expect(summary.rowsUsed).to.equal(344);
      expect(summary.classes).to.deep.equal(species);
      const imputed = Object.fromEntries(PENGUIN_FEATURES.map((f) => [f, penguins.filter((p) => isAbsent(p[f])).length]));
      expect(imputed.Sex).to.equal(11); // 10 nulls and one "."
      expect(summary.imputed).to.deep.equal(imputed);
      expect(summary.unseenLevels).to.deep.equal({ Island: 0, Sex: 0 });
    });

    it('splits 70/15/15, every row once, every species in every split (stratified)', () => {
      const { splits, layout } = csvRun;
      const all = SPLIT_NAMES.flatMap((s) => splits[s].rowNumbers).sort((a, b) => a - b);
      expect(all).to.deep.equal(Array.from({ length: 344 }, (_, i) => i + 2));
      for (const s of SPLIT_NAMES) {
        expect(layout[s].rows).to.equal(splits[s].rowNumbers.length);
        const species = new Set(splits[s].rowNumbers.map((r) => recordAt(penguins, r).Species));
        expect(species.size, s).to.equal(3);
      }
      expect(layout.train.rows).to.be.within(238, 244);
      // 50-row shards: all full but the last.
      expect(layout.train.shards).to.have.length(Math.ceil(layout.train.rows / 50));
      expect(layout).to.include({ task: 'classification', classes: 3, shardRows: 50, width: csvRun.preprocessing.width });
    });

    it('standardizes with the train rows only: mean and std computed here from the JSON', () => {
      const { preprocessing, splits } = csvRun;
      const trainRecords = splits.train.rowNumbers.map((r) => recordAt(penguins, r));
      for (const name of PENGUIN_NUMERIC) {
        const f = preprocessing.features.find((x) => x.name === name)!;
        if (f.kind !== 'numeric') throw new Error(`${name} should be numeric`);
        const train = meanStd(trainRecords.map((p) => p[name] as number | null));
        const everyRow = meanStd(penguins.map((p) => p[name] as number | null));
        expect(f.mean, name).to.be.closeTo(train.mean, 1e-9 * Math.abs(train.mean));
        expect(f.std, name).to.be.closeTo(train.std, 1e-9 * train.std);
        expect(f.impute).to.equal(f.mean);
        // Fitting on every row would give another figure: the test can tell the two apart.
        expect(Math.abs(everyRow.mean - train.mean), name).to.be.greaterThan(1e-6 * Math.abs(train.mean));
      }
    });

    it('encodes every row of every split as computed here: standardized, one-hot, imputed with the train mean and mode', () => {
      const { preprocessing, splits } = csvRun;
      const trainRecords = splits.train.rowNumbers.map((r) => recordAt(penguins, r));
      const spec = { numeric: {} as Record<string, { mean: number; std: number }>, categorical: {} as Record<string, { levels: string[]; mode: string }>, order: PENGUIN_FEATURES };
      for (const name of PENGUIN_NUMERIC) spec.numeric[name] = meanStd(trainRecords.map((p) => p[name] as number | null));
      for (const name of ['Island', 'Sex']) {
        const present = trainRecords.map((p) => p[name]).filter((v) => !isAbsent(v)) as string[];
        spec.categorical[name] = { levels: [...new Set(present)].sort(), mode: mode(present) };
      }
      expect(spec.categorical.Sex!.levels).to.deep.equal(['FEMALE', 'MALE']); // "." is missing, not a level
      expect(preprocessing.width).to.equal(4 + 3 + 2);
      const species = [...new Set(penguins.map((p) => p.Species as string))].sort();
      for (const s of SPLIT_NAMES) {
        const { features, labels, rowNumbers } = splits[s];
        rowNumbers.forEach((row, i) => {
          const record = recordAt(penguins, row);
          expectRowEncoded(features.subarray(i * 9, (i + 1) * 9), record, spec);
          expect(labels[i]).to.equal(species.indexOf(record.Species as string));
        });
      }
    });

    it('is deterministic per seed (identical shard bytes) and differs across seeds', async () => {
      const again = await prepare('penguins-again', 'penguins.csv', toCsv(penguins), penguinRequest);
      for (const s of SPLIT_NAMES) {
        expect(again.layout[s].shards.length).to.equal(csvRun.layout[s].shards.length);
        for (let i = 0; i < again.layout[s].shards.length; i++) {
          expect((await objectBytes(again.layout[s].shards[i]!)).equals(await objectBytes(csvRun.layout[s].shards[i]!))).to.equal(true);
        }
      }
      const other = await prepare('penguins-seed8', 'penguins.csv', toCsv(penguins), { ...penguinRequest, seed: 8 });
      expect(other.splits.train.rowNumbers).to.not.deep.equal(csvRun.splits.train.rowNumbers);
      expect(new Set(other.splits.test.rowNumbers)).to.not.deep.equal(new Set(csvRun.splits.test.rowNumbers));
    });

    it('reads Parquet input to the same preprocessing and the same shards as the CSV', async () => {
      const str = (name: string) => ({ name, type: { kind: 'string' as const, nullable: true }, values: penguins.map((p) => p[name] as string | null) });
      const num = (name: string) => ({ name, type: { kind: 'float' as const, nullable: true }, values: penguins.map((p) => p[name] as number | null) });
      const parquet = writeParquet([str('Species'), str('Island'), ...PENGUIN_NUMERIC.map(num), str('Sex')], { rowGroupRows: 100 });
      const run = await prepare('penguins-parquet', 'penguins.parquet', parquet, penguinRequest);
      expect(run.preprocessing).to.deep.equal(csvRun.preprocessing);
      expect({ ...run.summary, layoutKey: '', preprocessingKey: '' }).to.deep.equal({ ...csvRun.summary, layoutKey: '', preprocessingKey: '' });
      for (const s of SPLIT_NAMES) {
        sameBits(run.splits[s].features, csvRun.splits[s].features);
        sameBits(run.splits[s].labels, csvRun.splits[s].labels);
        // Parquet rows are numbered by position, CSV rows after the header.
        expect(run.splits[s].rowNumbers.map((r) => r + 1)).to.deep.equal(csvRun.splits[s].rowNumbers);
      }
    });
  });

  describe('cars: miles-per-gallon regression', () => {
    const features = ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration', 'Origin'];
    let run: Prepared;
    before(async function () {
      this.timeout(60_000);
      run = await prepare('cars', 'cars.csv', toCsv(cars), { label: 'Miles_per_Gallon', features, batchSize: 32, seed: 3 });
    });

    it('drops the rows without mpg (counted, named) and imputes the missing horsepower', () => {
      const noMpg = cars.flatMap((c, i) => (c.Miles_per_Gallon === null ? [i + 2] : []));
      const hpImputed = cars.filter((c) => c.Miles_per_Gallon !== null && c.Horsepower === null).length;
      expect(noMpg).to.have.length(8);
      expect(hpImputed).to.equal(6);
      expect(run.summary).to.deep.include({ task: 'regression', rowsRead: 406, rowsUsed: 398, rowsDroppedMissingLabel: 8, droppedRowsSample: noMpg, classes: [] });
      expect(run.summary.imputed).to.deep.equal({ Cylinders: 0, Displacement: 0, Horsepower: hpImputed, Weight_in_lbs: 0, Acceleration: 0, Origin: 0 });
      const used = SPLIT_NAMES.flatMap((s) => run.splits[s].rowNumbers);
      expect(used).to.have.length(398);
      expect(used.filter((r) => noMpg.includes(r))).to.deep.equal([]);
    });

    it('keeps the raw mpg as the target and encodes the features from train statistics', () => {
      const { preprocessing, splits } = run;
      expect(preprocessing.label).to.deep.equal({ name: 'Miles_per_Gallon', kind: 'numeric', classes: [] });
      expect(run.layout.classes).to.equal(0);
      const trainRecords = splits.train.rowNumbers.map((r) => recordAt(cars, r));
      const spec = { numeric: {} as Record<string, { mean: number; std: number }>, categorical: {} as Record<string, { levels: string[]; mode: string }>, order: features };
      for (const name of features.slice(0, 5)) spec.numeric[name] = meanStd(trainRecords.map((c) => c[name] as number | null));
      const origins = trainRecords.map((c) => c.Origin as string);
      spec.categorical.Origin = { levels: [...new Set(origins)].sort(), mode: mode(origins) };
      for (const s of SPLIT_NAMES) {
        const { features: x, labels, rowNumbers } = splits[s];
        rowNumbers.forEach((row, i) => {
          const record = recordAt(cars, row);
          expect(labels[i]).to.equal(Math.fround(record.Miles_per_Gallon as number));
          expectRowEncoded(x.subarray(i * 8, (i + 1) * 8), record, spec);
        });
      }
    });
  });

  it('reads a Parquet file DuckDB wrote from cars.json (INT64, DOUBLE, strings) to the same dataset as the CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-duck-'));
    try {
      const path = join(dir, 'cars.parquet');
      await duck().run(`COPY (SELECT * FROM read_json('${fileURLToPath(vegaDataUrl('cars.json'))}')) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 100)`);
      // A typed file, not text: the reader's conversions are what is under test.
      const types = await duckRows(duck(), `SELECT name, type FROM parquet_schema('${path}') WHERE name IN ('Miles_per_Gallon', 'Cylinders', 'Horsepower', 'Origin') ORDER BY name`);
      expect(types.map((t) => `${t.name} ${t.type}`)).to.deep.equal(['Cylinders INT64', 'Horsepower INT64', 'Miles_per_Gallon DOUBLE', 'Origin BYTE_ARRAY']);
      const request: DatasetRequest = { label: 'Miles_per_Gallon', features: ['Cylinders', 'Horsepower', 'Weight_in_lbs', 'Origin'], batchSize: 32, seed: 5 };
      const fromParquet = await prepare('cars-duck', 'cars.parquet', readFileSync(path), request);
      const fromCsv = await prepare('cars-duck-csv', 'cars.csv', toCsv(cars), request);
      expect(fromParquet.preprocessing).to.deep.equal(fromCsv.preprocessing);
      expect(fromParquet.summary.imputed).to.deep.equal({ Cylinders: 0, Horsepower: 6, Weight_in_lbs: 0, Origin: 0 });
      for (const s of SPLIT_NAMES) {
        sameBits(fromParquet.splits[s].features, fromCsv.splits[s].features);
        sameBits(fromParquet.splits[s].labels, fromCsv.splits[s].labels);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets the features list make a numeric column categorical (cars\' Cylinders), and infers the rest', async () => {
    const run = await prepare('cars-cyl', 'cars.csv', toCsv(cars), { label: 'Miles_per_Gallon', features: [{ name: 'Cylinders', kind: 'categorical' }, 'Horsepower', 'Origin'], batchSize: 32, seed: 3 });
    const [cyl, hp, origin] = run.preprocessing.features;
    const trainCyl = new Set(run.splits.train.rowNumbers.map((r) => String(recordAt(cars, r).Cylinders)));
    expect(cyl).to.deep.include({ name: 'Cylinders', kind: 'categorical', levels: [...trainCyl].sort() });
    expect(hp).to.deep.include({ name: 'Horsepower', kind: 'numeric' });
    expect(origin).to.deep.include({ name: 'Origin', kind: 'categorical', levels: ['Europe', 'Japan', 'USA'] });
    expect(run.preprocessing.width).to.equal(trainCyl.size + 1 + 3);
  });

  describe('bad datasets: InvalidInput naming the column and the row, before any shard is written', () => {
    const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n';
    const cases: { title: string; csv: string; dataset: DatasetRequest; column: string; row?: number; also?: string[] }[] = [
      { title: 'the label column is absent (its columns listed)', csv: 'a,b\n' + rows(50, (i) => `${i},x`), dataset: { label: 'y', batchSize: 4 }, column: 'y', row: 1, also: ['"a", "b"'] },
      { title: 'a requested feature is absent', csv: 'a,y\n' + rows(50, (i) => `${i},${i % 2}`), dataset: { label: 'y', features: ['a', 'b'], batchSize: 4 }, column: 'b', row: 1 },
      { title: '"NaN" in a numeric feature', csv: 'a,y\n' + rows(50, (i) => `${i === 30 ? 'NaN' : i},${i % 2 ? 'p' : 'q'}`), dataset: { label: 'y', batchSize: 4 }, column: 'a', row: 32 },
      { title: '"Infinity" in a numeric label', csv: 'a,y\n' + rows(50, (i) => `${i},${i === 9 ? 'Infinity' : i}`), dataset: { label: 'y', batchSize: 4 }, column: 'y', row: 11 },
      { title: 'text in a regression label', csv: 'a,y\n' + rows(50, (i) => `${i},${i === 4 ? 'n/a' : i}`), dataset: { label: 'y', task: 'regression', batchSize: 4 }, column: 'y', row: 6 },
      { title: 'a single class', csv: 'a,y\n' + rows(50, (i) => `${i},${i === 0 ? '' : 'yes'}`), dataset: { label: 'y', batchSize: 4 }, column: 'y', row: 3, also: ['"yes"'] },
      { title: 'a numeric label with too many classes for classification', csv: 'a,y\n' + rows(300, (i) => `${i},${i % 150}`), dataset: { label: 'y', task: 'classification', batchSize: 4 }, column: 'y', row: 102, also: ['150 distinct', 'regression'] },
      { title: 'a categorical feature with thousands of levels', csv: 'id,a,y\n' + rows(3000, (i) => `u${i},${i},${i % 2}`), dataset: { label: 'y', task: 'classification', batchSize: 4 }, column: 'id', row: 1002, also: ['3000 distinct'] },
      { title: 'no label in any row', csv: 'a,y\n' + rows(50, (i) => `${i},NA`), dataset: { label: 'y', batchSize: 4 }, column: 'y', row: 2 },
      { title: 'a feature with no value in the training rows', csv: 'a,b,y\n' + rows(50, (i) => `${i},,${i % 2 ? 'p' : 'q'}`), dataset: { label: 'y', batchSize: 4 }, column: 'b' },
      { title: 'fewer labelled rows than one training batch', csv: 'a,y\n' + rows(40, (i) => `${i},${i < 10 ? 'NA' : i % 2 ? 'p' : 'q'}`), dataset: { label: 'y', batchSize: 32 }, column: 'y', also: ['30 rows', '10 dropped', 'batch of 32'] },
    ];
    cases.forEach((c, n) => {
      it(c.title, async () => {
        const jobId = `bad-${n}`;
        const key = jobKeys.input(jobId, 'data.csv');
        await putBuffer(key, c.csv);
        const err = await rejection(prepareDataset({ jobId, input: { key }, dataset: c.dataset }));
        expect(err, err.stack).to.be.instanceOf(InvalidInput);
        expect(err.message).to.include(`"${c.column}"`);
        if (c.row !== undefined) expect(err.message).to.match(new RegExp(`row ${c.row}\\b`));
        for (const text of c.also ?? []) expect(err.message).to.include(text);
        expect((err as InvalidInput).details.field).to.equal(c.column);
        const layoutKey = jobKeys.work(jobId, 'dataset/layout.json');
        expect(await rejection(getJson(layoutKey))).to.be.instanceOf(InputNotFound);
      });
    });
  });

  describe('shards in S3', () => {
    it('round-trip bit-exactly through writeShards and readShard, split into shardRows', async () => {
      const shard = awkwardShard(103, 6, 9);
      const keys = await writeShards((i) => jobKeys.work('shards', `s-${i}.shard`), { rows: 103, width: 6, slice: (a, b) => ({ rows: b - a, width: 6, features: shard.features.subarray(a * 6, b * 6), labels: shard.labels.subarray(a, b), rowNumbers: shard.rowNumbers!.subarray(a, b) }) }, 25);
      expect(keys).to.deep.equal([0, 1, 2, 3, 4].map((i) => jobKeys.work('shards', `s-${i}.shard`)));
      const back = await Promise.all(keys.map(readShard));
      expect(back.map((s) => s.rows)).to.deep.equal([25, 25, 25, 25, 3]);
      const features = new Float32Array(103 * 6);
      back.forEach((s, i) => features.set(s.features, i * 25 * 6));
      sameBits(features, shard.features);
      sameBits(Float32Array.from(back.flatMap((s) => [...s.labels])), shard.labels);
    });

    it('refuses an object that is not a shard, a truncated one, and a missing one, naming the key', async () => {
      const good = encodeShard(awkwardShard(20, 3));
      const wrong = jobKeys.work('corrupt', 'wrong.shard');
      const short = jobKeys.work('corrupt', 'short.shard');
      await putBuffer(wrong, toCsv(penguins.slice(0, 5)));
      await putBuffer(short, good.subarray(0, good.length - 8));
      const e1 = await rejection(readShard(wrong));
      expect(e1).to.be.instanceOf(InvalidInput);
      expect(e1.message).to.include(wrong).and.include('magic');
      const e2 = await rejection(readShard(short));
      expect(e2).to.be.instanceOf(InvalidInput);
      expect(e2.message).to.include(short).and.include('truncated');
      expect(await rejection(readShard(jobKeys.work('corrupt', 'none.shard')))).to.be.instanceOf(InputNotFound);
    });
  });
});
