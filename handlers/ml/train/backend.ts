// The TensorFlow.js backend training runs on: wasm (with SIMD when the runtime has it), or the pure-JS
// cpu backend when wasm cannot start (its .wasm file missing from the layer, say). Chosen once per
// process: tfjs has one global backend, and the numerics differ between backends, so switching in the
// middle of a process would make a run that resumed there differ from one that did not.
//
// Threads: tfjs-backend-wasm 4.22 reports no thread support under Node (tfjs issue #3830), and forcing
// WASM_HAS_MULTITHREAD_SUPPORT fails: its pthread workers are started from a blob: URL, which Node's
// worker_threads refuse (ERR_WORKER_PATH), and tfjs then falls back to cpu. So wasm runs on one thread.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** Whether the wasm binary in use is the SIMD build. */
  simd: boolean;
  threads: number;
  /** Why training is not on wasm, when it is not. */
  fallbackReason?: string;
}

/** Set to `cpu` to skip wasm (to compare backends, or if wasm misbehaves somewhere). */
export const BACKEND_ENV = 'LONGHAUL_TF_BACKEND';

let chosen: Promise<BackendInfo> | undefined;

/** Initializes tfjs on the best backend that starts; later calls return the same answer. */
export function initBackend(): Promise<BackendInfo> {
  chosen ??= choose().catch((err: unknown) => {
    chosen = undefined;
    throw err;
  });
  return chosen;
}

async function choose(): Promise<BackendInfo> {
  // Production mode drops tfjs's debug checks and its console banners ("install tfjs-node"), which
  // would otherwise land in every cold start's logs.
  tf.enableProdMode();
  const wanted = process.env[BACKEND_ENV];
  if (wanted !== undefined && wanted !== '' && wanted !== 'wasm' && wanted !== 'cpu') {
    throw new Error(`${BACKEND_ENV} is ${JSON.stringify(wanted)}: expected wasm or cpu`);
  }
  let fallbackReason = wanted === 'cpu' ? `${BACKEND_ENV}=cpu` : undefined;
  if (wanted !== 'cpu') {
    try {
      // setBackend answers false (after logging why) rather than throwing when a backend fails to start.
      if (await tf.setBackend('wasm')) {
        const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
        return { name: 'wasm', simd, threads: getThreadsCount() };
      }
      fallbackReason = 'the wasm backend failed to initialize (tfjs logged why)';
    } catch (err) {
      fallbackReason = `the wasm backend failed to initialize: ${(err as Error).message}`;
    }
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('TensorFlow.js: neither the wasm nor the cpu backend could start');
  return { name: 'cpu', simd: false, threads: 1, fallbackReason };
}
