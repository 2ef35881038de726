import { trainConfigSchema } from '../../../../handlers/ml/train/train-config';
import { useLocalServices } from '../../../support/services';
import { blobs, shardDataset } from './synthetic';
import { trainToEnd } from './train-runs';
import { trainTimeBoxed } from '../../../../handlers/ml/train/train-loop';
import { memoryLoader } from './synthetic';
import { stepClock } from './train-runs';
import { initBackend } from '../../../../handlers/ml/train/backend';

describe('bench', () => {
  useLocalServices();
  it('runs', async () => {
    console.log(JSON.stringify(await initBackend()));
    const data = shardDataset('jobs/b/input', 'classification', 3, 2000, { train: blobs(1, 20000, 16, 3), validation: blobs(2, 4000, 16, 3), test: blobs(3, 30, 16, 3) });
    for (const batchSize of [32, 128]) {
      const config = trainConfigSchema.parse({ task: 'classification', width: 16, classes: 3, hidden: [64, 32], optimizer: 'adam', learningRate: 0.001, batchSize, seed: 11, epochs: 2, patience: 5 });
      const { TrainingSession } = await import('../../../../handlers/ml/train/training-session');
      const sess = await TrainingSession.start(config);
      const sh = data.shards.get(data.layout.train.shards[0]!)!;
      const t3 = performance.now(); let n = 0;
      for (let e = 0; e < 2; e++) for (let p = 0; p + batchSize <= 20000; p += batchSize, n++) { const st = p % (2000 - batchSize); sess.trainBatch({ rows: batchSize, features: sh.features.slice(st * 16, (st + batchSize) * 16), labels: sh.labels.slice(st, st + batchSize) }); }
      console.log('raw trainBatch samples/s', Math.round(n * batchSize / ((performance.now() - t3) / 1000)));
      sess.dispose();
      const t = performance.now();
      await trainToEnd(`jobs/b${batchSize}/work/train/checkpoint.json`, config, data);
      const ms = performance.now() - t;
      console.log('batch', batchSize, 'end-to-end train samples/s (incl. validation passes)', Math.round(40000 / (ms / 1000)), 'ms', ms.toFixed(0));
      // save+load cost: calls of 1 step each
      const loader = memoryLoader(data);
      let cursor = null; const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const clock = stepClock(250, 100);
        const t1 = performance.now();
        const r = await trainTimeBoxed({ deadline: clock.deadline, checkpointKey: `jobs/bb${batchSize}/work/train/checkpoint.json`, cursor, config, layout: data.layout, loadShard: loader.load, onStep: clock.tick });
        times.push(performance.now() - t1); cursor = r.cursor;
      }
      console.log('one-step call (load checkpoint + 1 batch + save) ms', times.map((x) => x.toFixed(1)).join(' '));
    }
  });
});
