// The optimizer's state as plain arrays, and back. tfjs's getWeights()/setWeights() carry the iteration
// count and (Adam) both moments, but Adam's setWeights recomputes its bias-correction factors as
// beta^(t+1) while an uninterrupted run multiplies them up step by step: in float32 the two differ in
// the last bit, and a resumed run drifts by ~1e-7. Saving and restoring those two factors as well makes
// Adam resume bit-identically; if a tfjs release renames them, restoring falls back to tfjs's own
// recomputation (and the resume tests, which expect identical weights, say so).
import * as tf from '@tensorflow/tfjs';
import type { NamedArray } from './weights-object';

const ADAM_FACTORS = ['accBeta1', 'accBeta2'] as const;
const ADAM_FACTOR_PREFIX = 'adam/';

type AdamFactors = Record<(typeof ADAM_FACTORS)[number], tf.Variable>;

function adamFactors(optimizer: tf.Optimizer): AdamFactors | undefined {
  if (!(optimizer instanceof tf.AdamOptimizer)) return undefined;
  const fields = optimizer as unknown as Partial<Record<string, unknown>>;
  return ADAM_FACTORS.every((name) => fields[name] instanceof tf.Variable) ? (fields as unknown as AdamFactors) : undefined;
}

function toArray(tensor: tf.Tensor, name: string): NamedArray {
  const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
  const data = tensor.dataSync();
  const values = dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
  return { spec: { group: 'optimizer', name, shape: [...tensor.shape], dtype }, values };
}

export async function optimizerArrays(optimizer: tf.Optimizer): Promise<NamedArray[]> {
  const arrays: NamedArray[] = [];
  for (const { name, tensor } of await optimizer.getWeights()) {
    arrays.push(toArray(tensor, name));
    // The moments are the optimizer's live variables; the iteration count is a fresh scalar.
    if (!(tensor instanceof tf.Variable)) tensor.dispose();
  }
  const factors = adamFactors(optimizer);
  if (factors) for (const name of ADAM_FACTORS) arrays.push(toArray(factors[name], ADAM_FACTOR_PREFIX + name));
  return arrays;
}

/** Restores a fresh optimizer (one that has not taken a step) from `optimizerArrays`'s output. */
export async function restoreOptimizer(optimizer: tf.Optimizer, arrays: readonly NamedArray[]): Promise<void> {
  const weights = arrays.filter((a) => !a.spec.name.startsWith(ADAM_FACTOR_PREFIX));
  const tensors = weights.map((a) => ({ name: a.spec.name, tensor: tf.tensor(a.values, a.spec.shape, a.spec.dtype) }));
  await optimizer.setWeights(tensors);
  // setWeights made variables of the moments (their own copies) and read the iteration count.
  for (const { tensor } of tensors) tensor.dispose();
  const factors = adamFactors(optimizer);
  if (!factors) return;
  for (const name of ADAM_FACTORS) {
    const saved = arrays.find((a) => a.spec.name === ADAM_FACTOR_PREFIX + name);
    if (saved) tf.tidy(() => factors[name].assign(tf.scalar(saved.values[0]!, 'float32')));
  }
}
