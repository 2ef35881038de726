// The trained model in TensorFlow.js's layers format: model.json (topology + weights manifest) and one
// weights.bin, the two files `tf.loadLayersModel` reads. Written to S3 by Evaluate, read back from a
// local folder by `longhaul predict`. No tfjs-node (it does not install here: DESIGN.md), so the
// file:// handlers are ours: a save handler that captures the artifacts, a load handler over the files.
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InputNotFound, InternalError, InvalidInput } from '../../lib/errors';
import { putBuffer } from '../../lib/s3';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface ModelFiles {
  modelJson: string;
  weights: Buffer;
}

/** The model's two files; `weightsPath` is weights.bin's path relative to model.json's folder. */
export async function modelArtifacts(model: tf.LayersModel, weightsPath: string = WEIGHTS_BIN): Promise<ModelFiles> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured?.modelTopology || !captured.weightSpecs) throw new InternalError('tfjs saved a model without its topology or weight specs');
  // The fields tfjs's own file and HTTP handlers write, so any tfjs loader reads the result.
  const json: tf.io.ModelJSON = {
    modelTopology: captured.modelTopology,
    format: captured.format,
    generatedBy: captured.generatedBy,
    convertedBy: captured.convertedBy,
    weightsManifest: [{ paths: [weightsPath], weights: captured.weightSpecs }],
    ...(captured.trainingConfig ? { trainingConfig: captured.trainingConfig } : {}),
  };
  const data = captured.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(captured.weightData);
  return { modelJson: JSON.stringify(json), weights: Buffer.from(data) };
}

export interface ExportKeys {
  modelJsonKey: string;
  /** In model.json's folder or below it: model.json refers to it by relative path. */
  weightsKey: string;
}

export interface ExportOptions {
  /** Where the bytes go (default: the job bucket). */
  put?: (key: string, body: Buffer | string, opts: { contentType: string }) => Promise<void>;
}

/**
 * Writes weights.bin, then model.json: a model.json present means a whole model, so a retried
 * Evaluate that finds it can trust it, and a reader never gets a manifest ahead of its weights.
 */
export async function exportModel(model: tf.LayersModel, keys: ExportKeys, opts: ExportOptions = {}): Promise<ModelFiles> {
  const put = opts.put ?? putBuffer;
  const relative = posix.relative(posix.dirname(keys.modelJsonKey), keys.weightsKey);
  if (relative === '' || relative.startsWith('..')) throw new InternalError(`${keys.weightsKey} is not below ${keys.modelJsonKey}'s folder, where model.json can refer to it`);
  const files = await modelArtifacts(model, relative);
  await put(keys.weightsKey, files.weights, { contentType: 'application/octet-stream' });
  await put(keys.modelJsonKey, files.modelJson, { contentType: 'application/json' });
  return files;
}

const BYTES_PER: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes the manifest's weights take in the .bin files, to refuse a truncated or mismatched weights file by name. */
function manifestBytes(specs: tf.io.WeightsManifestEntry[], file: string): number {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = BYTES_PER[dtype];
    if (size === undefined) throw new InvalidInput(`${file}: weight "${spec.name}" has dtype ${dtype}, which this loader does not read`, { key: file });
    total += size * spec.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

async function readOrRefuse(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputNotFound(`${what} not found: ${path}`, { key: path }, { cause: err });
    throw err;
  }
}

/** The model whose model.json and weights files are in `dir`. InputNotFound / InvalidInput naming the file. */
export async function loadModelFromDir(dir: string): Promise<tf.LayersModel> {
  const jsonPath = join(dir, MODEL_JSON);
  const text = (await readOrRefuse(jsonPath, 'Model file')).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidInput(`${jsonPath} is not valid JSON: ${(err as Error).message}`, { key: jsonPath }, { cause: err });
  }
  const json = parsed as Partial<tf.io.ModelJSON> | null;
  if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || json.modelTopology === null || !Array.isArray(json.weightsManifest)) {
    throw new InvalidInput(`${jsonPath} is not a TensorFlow.js layers model (it needs modelTopology and weightsManifest)`, { key: jsonPath });
  }
  const modelJson = json as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: Buffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const path of group.paths) {
        if (posix.isAbsolute(path) || path.split('/').includes('..')) throw new InvalidInput(`${jsonPath} names weights file "${path}" outside its folder`, { key: jsonPath });
        buffers.push(await readOrRefuse(join(dir, path), 'Weights file'));
      }
    }
    const weights = Buffer.concat(buffers);
    const expected = manifestBytes(specs, jsonPath);
    if (weights.length !== expected) {
      throw new InvalidInput(`The weights files of ${jsonPath} hold ${weights.length} bytes where its manifest needs ${expected}: truncated, or from another model`, { key: jsonPath });
    }
    // A copy into a fresh ArrayBuffer: a Buffer may be a view into a shared pool.
    return [specs, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length) as ArrayBuffer];
  });
  try {
    return await tf.loadLayersModel({ load: async () => artifacts });
  } catch (err) {
    throw new InvalidInput(`${jsonPath}: TensorFlow.js cannot build a model from it: ${(err as Error).message}`, { key: jsonPath }, { cause: err });
  }
}
