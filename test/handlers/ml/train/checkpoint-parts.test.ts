// The pieces of a training checkpoint that need no S3: the weights object's byte layout and the
// epoch-end decision (best weights, patience, stop).
import { expect } from 'chai';
import { packArrays, unpackArrays, weightsKeyFor, type NamedArray } from '../../../../handlers/ml/train/weights-object';
import { closeEpoch, initialTrainingState, trainingStateSchema, type TrainingState } from '../../../../handlers/ml/train/training-state';
import { trainConfigSchema } from '../../../../handlers/ml/train/train-config';

const config = trainConfigSchema.parse({
  task: 'regression',
  width: 2,
  classes: 0,
  hidden: [],
  optimizer: 'sgd',
  learningRate: 0.1,
  batchSize: 4,
  seed: 1,
  epochs: 5,
  patience: 2,
});

/** Ends an epoch whose validation rows' losses sum to `valLossSum` over 10 rows. */
function endEpoch(state: TrainingState, valLossSum: number) {
  return closeEpoch({ ...state, phase: 'validate', position: 10, trainLossSum: 20, valLossSum }, 40, 10);
}

describe('handlers/ml/train weights object and epoch end', () => {
  it('packs float32 and int32 tensors little-endian, end to end, and reads them back exactly', () => {
    const arrays: NamedArray[] = [
      { spec: { group: 'model', name: 'w', shape: [2, 2], dtype: 'float32' }, values: new Float32Array([1.5, -0, Math.fround(Math.PI), -3.25e-20]) },
      { spec: { group: 'optimizer', name: 'iter', shape: [], dtype: 'int32' }, values: new Int32Array([123456]) },
    ];
    const bytes = packArrays(arrays);
    expect(bytes.byteLength).to.equal(20);
    expect(Array.from(bytes.subarray(0, 4))).to.deep.equal([0, 0, 0xc0, 0x3f]); // 1.5f, little-endian
    expect(new DataView(bytes.buffer).getInt32(16, true)).to.equal(123456);
    const back = unpackArrays(bytes, arrays.map((a) => a.spec));
    expect(back.map((a) => Array.from(a.values))).to.deep.equal(arrays.map((a) => Array.from(a.values)));
    expect(Object.is(back[0]!.values[1], -0)).to.equal(true);
    expect(back[1]!.values).to.be.instanceOf(Int32Array);
  });

  it('alternates two weights objects, so a new one never overwrites the one the last checkpoint names', () => {
    const key = 'jobs/j/work/train/checkpoint.json';
    expect(weightsKeyFor(key, 1)).to.equal('jobs/j/work/train/checkpoint.weights-odd.bin');
    expect(weightsKeyFor(key, 2)).to.equal('jobs/j/work/train/checkpoint.weights-even.bin');
    expect(weightsKeyFor(key, 3)).to.equal(weightsKeyFor(key, 1));
  });

  it('keeps the best epoch by strictly lower validation loss and stops after `patience` epochs without one', () => {
    let state = initialTrainingState(config);
    const losses = [5, 3, 3, 4];
    const outcomes = losses.map((sum) => {
      const outcome = endEpoch(state, sum);
      state = outcome.state;
      return { improved: outcome.improved, stopped: outcome.stopped };
    });
    expect(outcomes).to.deep.equal([
      { improved: true, stopped: false },
      { improved: true, stopped: false },
      { improved: false, stopped: false }, // a tie is no improvement: the earlier weights stay best
      { improved: false, stopped: true },
    ]);
    expect(state).to.deep.include({ epoch: 4, phase: 'done', stopReason: 'patience', best: { epoch: 1, valLoss: 0.3 }, epochsWithoutImprovement: 2 });
    expect(state.history.map((h) => h.valLoss)).to.deep.equal([0.5, 0.3, 0.3, 0.4]);
    expect(state.history[0]!.loss).to.equal(0.5);
    // What is checkpointed parses back as it was.
    expect(trainingStateSchema.parse(JSON.parse(JSON.stringify(state)))).to.deep.equal(state);
  });

  it('stops on the epoch budget when validation keeps improving', () => {
    let state = initialTrainingState(config);
    for (let e = 0; e < config.epochs; e++) state = endEpoch(state, 10 - e).state;
    expect(state).to.deep.include({ epoch: 5, phase: 'done', stopReason: 'epochs', best: { epoch: 4, valLoss: 0.6 } });
  });
});
