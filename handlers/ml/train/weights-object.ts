// The binary half of a training checkpoint: every tensor the checkpoint needs (the model's weights,
// the optimizer's state, the best weights so far) in one S3 object, little-endian 4-byte values laid
// end to end in the order of their specs. The JSON checkpoint, written after it, holds the specs, size
// and SHA-256: it is what makes a weights object valid, and it is checked against them on load.
//
// Checkpoint n writes the `odd` or `even` object by n's parity. The previous checkpoint (the one a
// crash before the next JSON write leaves in force) is always in the other object, so a write never
// touches weights a valid checkpoint refers to, and only two objects exist per training loop.
import { createHash } from 'node:crypto';
import { InputNotFound, InternalError } from '../../lib/errors';
import { getStream, putBuffer } from '../../lib/s3';
import { withTransient } from '../../lib/transient';

export type TensorGroup = 'model' | 'optimizer' | 'best';

export interface TensorSpec {
  group: TensorGroup;
  /** tfjs's name, for reading the object by eye; restoring goes by position. */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

export interface NamedArray {
  spec: TensorSpec;
  values: Float32Array | Int32Array;
}

/** What the JSON checkpoint records about its weights object. */
export interface WeightsRef {
  key: string;
  bytes: number;
  sha256: string;
  tensors: TensorSpec[];
}

const BYTES_PER_VALUE = 4;

export function weightsKeyFor(checkpointKey: string, seq: number): string {
  return `${checkpointKey.replace(/\.json$/, '')}.weights-${seq % 2 === 1 ? 'odd' : 'even'}.bin`;
}

function valueCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function packArrays(arrays: readonly NamedArray[]): Uint8Array {
  const total = arrays.reduce((sum, a) => sum + valueCount(a.spec.shape) * BYTES_PER_VALUE, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const { spec, values } of arrays) {
    if (values.length !== valueCount(spec.shape)) {
      throw new InternalError(`Tensor ${spec.name} has ${values.length} values for shape [${spec.shape.join(', ')}]`);
    }
    // DataView pins the byte order, so the object reads back the same on any machine.
    for (let i = 0; i < values.length; i++, offset += BYTES_PER_VALUE) {
      if (spec.dtype === 'int32') view.setInt32(offset, values[i]!, true);
      else view.setFloat32(offset, values[i]!, true);
    }
  }
  return bytes;
}

export function unpackArrays(bytes: Uint8Array, specs: readonly TensorSpec[]): NamedArray[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  return specs.map((spec) => {
    const n = valueCount(spec.shape);
    const values = spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++, offset += BYTES_PER_VALUE) {
      values[i] = spec.dtype === 'int32' ? view.getInt32(offset, true) : view.getFloat32(offset, true);
    }
    return { spec, values };
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function writeWeightsObject(key: string, arrays: readonly NamedArray[]): Promise<WeightsRef> {
  const bytes = packArrays(arrays);
  await putBuffer(key, bytes, { contentType: 'application/octet-stream' });
  return { key, bytes: bytes.byteLength, sha256: sha256(bytes), tensors: arrays.map((a) => a.spec) };
}

/**
 * The tensors of the weights object `ref` names, refused unless they are exactly what the checkpoint
 * recorded: a missing object, a different size or a different digest all mean the checkpoint cannot be
 * resumed, and training on from other weights would silently break resume ≡ uninterrupted.
 */
export async function readWeightsObject(ref: WeightsRef, checkpointKey: string): Promise<NamedArray[]> {
  let bytes: Buffer;
  try {
    const stream = await getStream(ref.key);
    bytes = await withTransient(`GetObject ${ref.key} (reading the body)`, async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
  } catch (err) {
    if (err instanceof InputNotFound) {
      throw new InputNotFound(
        `Checkpoint ${checkpointKey} refers to weights object ${ref.key}, which does not exist: the checkpoint cannot be resumed (deleted or expired?); restart the job under a new jobId`,
        { key: ref.key, checkpointKey },
        { cause: err },
      );
    }
    throw err;
  }
  const expectedBytes = ref.tensors.reduce((sum, t) => sum + valueCount(t.shape) * BYTES_PER_VALUE, 0);
  if (bytes.byteLength !== ref.bytes || expectedBytes !== ref.bytes) {
    throw new InternalError(
      `Weights object ${ref.key} holds ${bytes.byteLength} bytes but checkpoint ${checkpointKey} recorded ${ref.bytes} (its tensors take ${expectedBytes}): refusing to resume from it`,
      { key: ref.key, checkpointKey },
    );
  }
  const digest = sha256(bytes);
  if (digest !== ref.sha256) {
    throw new InternalError(
      `Weights object ${ref.key} is not the one checkpoint ${checkpointKey} recorded (SHA-256 ${digest}, expected ${ref.sha256}): another writer replaced it; refusing to resume from it`,
      { key: ref.key, checkpointKey },
    );
  }
  return unpackArrays(bytes, ref.tensors);
}
